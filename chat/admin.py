"""Django admin for channels and messages; every write goes through chat.services.

Messages and what hangs off them (mentions, reactions, pins, files) are read-only here: they
are written only by the services, which keep seq, unread counts and real-time clients true.
Actions run as the operator (actor=None): see accounts/admin.py for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat, truncatechars
from django.utils.functional import cached_property

from accounts.models import User
from chat import admin_emoji  # noqa: F401 (registers the custom emoji admin, kept in a module of its own)
from chat.models import Attachment, Channel, ChannelMember, Mention, Message, Pin, Reaction
from chat.services import (
    channel_archive,
    channel_create,
    channel_invite,
    channel_kick,
    channel_unarchive,
    channel_update,
    message_delete,
    pin_remove,
)
from chat.text import check_channel_name
from slackclone.admin_base import (
    ReadOnlyInline,
    ReadOnlyServiceModelAdmin,
    ServiceModelAdmin,
    domain_validation_error,
    run_service_action,
)
from slackclone.errors import DomainError
from workspaces.admin import count_of
from workspaces.models import Membership

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class MemberCount(TypedDict):
    n_members: int | None


TEXT_PREVIEW_CHARS = 80


class EstimatedCountPaginator(Paginator):
    """Pages a huge table without COUNT(*) over all of it.

    With no filter applied, PostgreSQL's planner estimate (pg_class.reltuples, kept fresh by
    autovacuum) stands in for the count once the table has more than a million rows; filtered
    lists and smaller tables are counted exactly.
    """

    EXACT_BELOW = 1_000_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where:
            estimate = self._estimate(queryset)
            if estimate > self.EXACT_BELOW:
                return estimate
        return super().count

    @staticmethod
    def _estimate(queryset: QuerySet) -> int:
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
        return max(row[0], 0) if row else 0


def text_preview(message: Message | None) -> str:
    if message is None:
        return ""
    return "(deleted)" if message.is_deleted else truncatechars(message.text, TEXT_PREVIEW_CHARS)


# --- Channels -----------------------------------------------------------------------------------


class ChannelMemberInline(ReadOnlyInline):
    model = ChannelMember
    fields = ("user", "last_read_seq", "notify_level", "muted", "joined_at")
    readonly_fields = fields
    ordering = ("joined_at",)
    verbose_name_plural = "Members (the first 100; see Channel members for all)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChannelMember]:
        return super().get_queryset(request).select_related("user", "channel")


class ChannelAddForm(forms.ModelForm):
    is_private = forms.BooleanField(required=False, label="Private", help_text="Only invited members can see it.")
    creator = forms.ModelChoiceField(
        User.objects.filter(is_active=True),
        required=False,
        widget=AutocompleteSelect(Channel._meta.get_field("created_by"), admin.site),
        help_text="Optional: a member of the workspace who creates it and becomes its first member.",
    )

    class Meta:
        model = Channel
        fields = ("workspace", "name", "topic", "purpose")

    def clean_name(self) -> str:
        try:
            return check_channel_name(self.cleaned_data["name"])
        except DomainError as error:
            raise domain_validation_error(error) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        creator, workspace = cleaned.get("creator"), cleaned.get("workspace")
        if creator is not None and workspace is not None:
            membership = Membership.objects.filter(user=creator, workspace=workspace, is_active=True).first()
            if membership is None or membership.is_guest:
                self.add_error("creator", f"{creator.email} is not a (non-guest) member of {workspace.slug}.")
        return cleaned


class ChannelChangeForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ("name", "topic", "purpose")

    def clean_name(self) -> str | None:
        if self.instance.is_direct:
            return self.instance.name
        try:
            name = check_channel_name(self.cleaned_data["name"])
        except DomainError as error:
            raise domain_validation_error(error) from None
        others = Channel.objects.filter(workspace_id=self.instance.workspace_id, name=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"A channel named #{name} already exists.", code="name_taken")
        return name


@admin.register(Channel)
class ChannelAdmin(ServiceModelAdmin[Channel]):
    """Created by channel_create; renamed and retitled by channel_update; archived by actions."""

    list_display: tuple[str, ...] = (
        "__str__",
        "public_id",
        "workspace",
        "kind",
        "member_count",
        "last_seq",
        "is_archived",
    )
    list_display += ("created_at",)
    list_select_related = ("workspace",)
    list_filter = ("kind", "is_archived", "is_general")
    search_fields = ("name", "=public_id", "workspace__slug")
    autocomplete_fields = ("workspace",)
    readonly_fields: ClassVar[tuple[str, ...]] = (
        "public_id",
        "workspace",
        "kind",
        "dm_key",
        "is_general",
        "is_archived",
        "created_by",
    )
    readonly_fields += ("created_at", "last_seq", "last_ts")
    ordering = ("workspace__slug", "name")
    inlines = (ChannelMemberInline,)
    actions = ("archive", "unarchive")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Channel]:
        return super().get_queryset(request).annotate(n_members=count_of(ChannelMember.objects.all(), "channel"))

    @admin.display(description="members", ordering="n_members")
    def member_count(self, channel: WithAnnotations[Channel, MemberCount]) -> int:
        return channel.n_members or 0

    def get_form(
        self, request: HttpRequest, obj: Channel | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Channel]]:
        kwargs["form"] = ChannelAddForm if obj is None else ChannelChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Channel | None = None):
        if obj is None:
            return ("workspace", "name", "is_private", "topic", "purpose", "creator")
        return ("public_id", "workspace", "kind", "name", "topic", "purpose", *self.readonly_fields[3:])

    def get_readonly_fields(self, request: HttpRequest, obj: Channel | None = None):
        if obj is None:
            return ()
        return (*self.readonly_fields, "name") if obj.is_direct else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Channel | None):
        return self.inlines if obj is not None else ()

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[Channel]) -> Channel:
        data = form.cleaned_data
        return channel_create(
            actor=data.get("creator"),
            workspace=data["workspace"],
            name=data["name"],
            is_private=data.get("is_private", False),
            topic=data.get("topic", ""),
            purpose=data.get("purpose", ""),
        )

    def save_model(self, request: HttpRequest, obj: Channel, form: forms.ModelForm[Channel], change: bool) -> None:
        """Only what changed goes to channel_update, given the channel as stored (the form has altered obj)."""
        changes = {
            field: form.cleaned_data[field] for field in ("name", "topic", "purpose") if field in form.changed_data
        }
        if changes:
            channel_update(actor=None, channel=Channel.objects.select_related("workspace").get(pk=obj.pk), **changes)

    @admin.action(description="Archive the selected channels", permissions=["operate"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        rows = queryset.select_related("workspace")
        run_service_action(self, request, rows, lambda c: channel_archive(actor=None, channel=c), done="Archived")

    @admin.action(description="Unarchive the selected channels", permissions=["operate"])
    def unarchive(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        rows = queryset.select_related("workspace")
        run_service_action(self, request, rows, lambda c: channel_unarchive(actor=None, channel=c), done="Unarchived")


class ChannelMemberAddForm(forms.ModelForm):
    class Meta:
        model = ChannelMember
        fields = ("channel", "user")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        channel, user = cleaned.get("channel"), cleaned.get("user")
        if channel is not None and channel.is_direct:
            self.add_error("channel", "People cannot be added to a direct message; open a new one instead.")
        elif channel is not None and user is not None and not self._active_in_workspace(user, channel):
            self.add_error("user", f"{user.email} is not an active member of this channel's workspace.")
        return cleaned

    @staticmethod
    def _active_in_workspace(user: User, channel: Channel) -> bool:
        return Membership.objects.filter(user=user, workspace_id=channel.workspace_id, is_active=True).exists()


@admin.register(ChannelMember)
class ChannelMemberAdmin(ServiceModelAdmin[ChannelMember]):
    """Added by channel_invite, removed by channel_kick; read markers and preferences belong to the member."""

    list_display = ("user", "channel", "workspace", "last_read_seq", "notify_level", "muted", "joined_at")
    list_select_related = ("user", "channel__workspace")
    list_filter = ("notify_level", "muted", "channel__kind")
    search_fields = ("user__email", "=user__public_id", "channel__name", "=channel__public_id")
    autocomplete_fields = ("channel", "user")
    readonly_fields = ("channel", "user", "last_read_seq", "notify_level", "muted", "joined_at")
    ordering = ("-joined_at",)
    actions = ("remove",)

    @admin.display(description="workspace", ordering="channel__workspace__slug")
    def workspace(self, member: ChannelMember) -> str:
        return member.channel.workspace.slug

    def has_change_permission(self, request: HttpRequest, obj: ChannelMember | None = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: ChannelMember | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[ChannelMember]]:
        if obj is None:
            kwargs["form"] = ChannelMemberAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: ChannelMember | None = None):
        return ("channel", "user") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ChannelMember | None = None):
        return () if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[ChannelMember]) -> ChannelMember:
        channel, user = form.cleaned_data["channel"], form.cleaned_data["user"]
        channel_invite(actor=None, channel=channel, users=[user])
        return ChannelMember.objects.select_related("channel", "user").get(channel=channel, user=user)

    @admin.action(description="Remove the selected people from their channels", permissions=["remove"])
    def remove(self, request: HttpRequest, queryset: QuerySet[ChannelMember]) -> None:
        rows = queryset.select_related("user", "channel__workspace")
        run_service_action(
            self, request, rows, lambda m: channel_kick(actor=None, channel=m.channel, user=m.user), done="Removed"
        )


# --- Messages -----------------------------------------------------------------------------------


class ReactionInline(ReadOnlyInline):
    model = Reaction
    fields = ("emoji", "user", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reaction]:
        return super().get_queryset(request).select_related("user", "message__channel")


class MentionInline(ReadOnlyInline):
    model = Mention
    fields = ("kind", "user", "seq")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return super().get_queryset(request).select_related("user", "channel", "message")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fk_name = "message"
    fields = ("original_name", "public_id", "content_type", "size", "uploader")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).select_related("uploader")


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted (tombstones)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


class ThreadFilter(admin.SimpleListFilter):
    title = "thread"
    parameter_name = "thread"

    def lookups(self, request, model_admin):
        return [("root", "Thread roots (with replies)"), ("reply", "Replies"), ("none", "Not in a thread")]

    def queryset(self, request, queryset):
        if self.value() == "root":
            return queryset.filter(reply_count__gt=0)
        if self.value() == "reply":
            return queryset.filter(thread_root__isnull=False)
        if self.value() == "none":
            return queryset.filter(thread_root__isnull=True, reply_count=0)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyServiceModelAdmin[Message]):
    """Messages are posted and edited only through the services; here they can be read and deleted.

    Deleting calls message_delete, which keeps a tombstone in the message's place (its seq),
    so the channel's numbering has no gap and clients drop the message in real time.
    """

    list_display = ("ts", "channel", "seq", "author", "preview", "reply_count", "is_reply", "is_deleted")
    list_select_related = ("channel", "author")
    list_filter = (DeletedFilter, ThreadFilter, "channel__kind")
    search_fields = ("=channel__public_id", "=ts", "author__email", "text")
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields: ClassVar[tuple[str, ...]] = (
        "channel",
        "seq",
        "ts",
        "author",
        "text",
        "thread_root",
        "reply_broadcast",
        "reply_count",
    )
    fields += ("latest_reply_ts", "client_msg_id", "created_at", "edited_at", "deleted_at", "changed_at_seq")
    readonly_fields = fields
    inlines = (ReactionInline, MentionInline, AttachmentInline)
    actions = ("delete_leaving_tombstones",)

    @admin.display(description="text")
    def preview(self, message: Message) -> str:
        return text_preview(message)

    @admin.display(description="reply", boolean=True)
    def is_reply(self, message: Message) -> bool:
        return message.thread_root_id is not None

    @admin.display(description="deleted", boolean=True)
    def is_deleted(self, message: Message) -> bool:
        return message.is_deleted

    @admin.action(description="Delete the selected messages (leaving tombstones)", permissions=["remove"])
    def delete_leaving_tombstones(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        rows = queryset.filter(deleted_at__isnull=True).select_related("channel__workspace", "thread_root", "author")
        run_service_action(self, request, rows, lambda m: message_delete(actor=None, message=m), done="Deleted")


@admin.register(Mention)
class MentionAdmin(ReadOnlyServiceModelAdmin[Mention]):
    """Written by message_post and message_edit from the text's <@U…> and <!here> markup."""

    list_display = ("kind", "user", "channel", "seq", "message_ts")
    list_select_related = ("user", "channel", "message")
    list_filter = ("kind",)
    search_fields = ("user__email", "=user__public_id", "=channel__public_id")
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("message", "channel", "seq", "kind", "user")
    readonly_fields = fields

    @admin.display(description="message ts")
    def message_ts(self, mention: Mention) -> str:
        return mention.message.ts


@admin.register(Reaction)
class ReactionAdmin(ReadOnlyServiceModelAdmin[Reaction]):
    """Added and removed by their own user (reaction_add, reaction_remove); deleting a message removes them."""

    list_display = ("emoji", "user", "channel", "message_ts", "created_at")
    list_select_related = ("user", "message__channel")
    search_fields = ("emoji", "user__email", "=message__channel__public_id")
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fields = ("message", "user", "emoji", "created_at")
    readonly_fields = fields

    @admin.display(description="channel")
    def channel(self, reaction: Reaction) -> Channel:
        return reaction.message.channel

    @admin.display(description="message ts")
    def message_ts(self, reaction: Reaction) -> str:
        return reaction.message.ts


@admin.register(Pin)
class PinAdmin(ReadOnlyServiceModelAdmin[Pin]):
    """Pinned by pin_add; unpinned here through pin_remove."""

    list_display = ("channel", "message_ts", "message_text", "pinned_by", "created_at")
    list_select_related = ("channel", "message", "pinned_by")
    search_fields = ("=channel__public_id", "channel__name")
    ordering = ("-created_at",)
    fields = ("channel", "message", "pinned_by", "created_at")
    readonly_fields = fields
    actions = ("unpin",)

    @admin.display(description="message ts")
    def message_ts(self, pin: Pin) -> str:
        return pin.message.ts

    @admin.display(description="message")
    def message_text(self, pin: Pin) -> str:
        return text_preview(pin.message)

    @admin.action(description="Unpin the selected messages", permissions=["remove"])
    def unpin(self, request: HttpRequest, queryset: QuerySet[Pin]) -> None:
        rows = queryset.select_related("message__channel__workspace", "channel")
        run_service_action(
            self, request, rows, lambda pin: pin_remove(actor=None, message=pin.message), done="Unpinned"
        )


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyServiceModelAdmin[Attachment]):
    """Uploaded through file_upload; removed with their message (message_delete)."""

    list_display: tuple[str, ...] = (
        "original_name",
        "public_id",
        "workspace",
        "channel",
        "uploader",
        "human_size",
        "content_type",
    )
    list_display += ("created_at",)
    list_select_related = ("workspace", "channel", "uploader")
    search_fields = ("original_name", "=public_id", "uploader__email")
    ordering = ("-id",)
    fields: ClassVar[tuple[str, ...]] = (
        "public_id",
        "original_name",
        "content_type",
        "size",
        "file",
        "thumbnail",
        "workspace",
        "channel",
    )
    fields += ("message", "uploader", "created_at")
    readonly_fields = fields

    @admin.display(description="size", ordering="size")
    def human_size(self, attachment: Attachment) -> str:
        return filesizeformat(attachment.size)
