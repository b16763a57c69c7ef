"""Django admin for workspaces, memberships, invitations and user groups; every write goes through workspaces.services.

Actions run as the operator (actor=None): see accounts/admin.py for why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from slackclone.admin_base import (
    ReadOnlyInline,
    ServiceModelAdmin,
    domain_validation_error,
    run_service_action,
)
from slackclone.errors import DomainError
from workspaces.emails import invitation_url
from workspaces.models import Invitation, Membership, Role, UserGroup, UserGroupMember, Workspace
from workspaces.services import (
    check_workspace_slug,
    invitation_create,
    invitation_revoke,
    member_add,
    member_change_role,
    member_deactivate,
    member_reactivate,
    usergroup_create,
    usergroup_set_enabled,
    workspace_create,
    workspace_set_audit_retention,
    workspace_set_read_receipts,
)
from workspaces.services.usergroups import check_usergroup_handle

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class WorkspaceCounts(TypedDict):
    n_members: int | None
    n_channels: int | None


def count_of(queryset: QuerySet, link: str) -> Subquery:
    """A correlated COUNT, so a changelist shows counts without one query per row or a join blow-up."""
    counted = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link).annotate(n=Count("pk")).values("n")
    return Subquery(counted, output_field=IntegerField())


# --- Workspaces ---------------------------------------------------------------------------------


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "is_active", "joined_at")
    readonly_fields = fields
    ordering = ("joined_at",)
    verbose_name_plural = "Members (the first 100; see Memberships for all)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "workspace")


class WorkspaceAddForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        User.objects.filter(is_active=True),
        # Searched through the user admin (as created_by would be), never a dropdown of every account.
        widget=AutocompleteSelect(Workspace._meta.get_field("created_by"), admin.site),
        help_text="Becomes the workspace's owner.",
    )

    class Meta:
        model = Workspace
        fields = ("name", "slug")

    def clean_slug(self) -> str:
        try:
            return check_workspace_slug(self.cleaned_data["slug"])
        except DomainError as error:
            raise domain_validation_error(error) from None


@admin.register(Workspace)
class WorkspaceAdmin(ServiceModelAdmin[Workspace]):
    """Created by workspace_create (owner, #general, #random); its settings are edited in place."""

    list_display = ("name", "slug", "public_id", "active_members", "channel_count", "created_by", "created_at")
    list_select_related = ("created_by",)
    search_fields = ("name", "slug", "=public_id")
    ordering = ("slug",)
    readonly_fields = ("public_id", "slug", "created_by", "created_at")
    fields: ClassVar[tuple[str, ...]] = (
        "public_id",
        "name",
        "slug",
        "icon",
        "retention_days",
        "retention_keeps_pins",
        "email_display",
        "emoji_add_policy",
        "usergroups_by_members",
        "link_previews",
        "read_receipts",
        "audit_retention_days",
    )
    fields += ("created_by", "created_at")
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        from chat.models import Channel

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=count_of(Membership.objects.filter(is_active=True), "workspace"),
                n_channels=count_of(Channel.objects.all(), "workspace"),
            )
        )

    @admin.display(description="active members", ordering="n_members")
    def active_members(self, workspace: WithAnnotations[Workspace, WorkspaceCounts]) -> int:
        return workspace.n_members or 0

    @admin.display(description="channels", ordering="n_channels")
    def channel_count(self, workspace: WithAnnotations[Workspace, WorkspaceCounts]) -> int:
        return workspace.n_channels or 0

    def get_form(
        self, request: HttpRequest, obj: Workspace | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Workspace]]:
        if obj is None:
            kwargs["form"] = WorkspaceAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Workspace | None = None):
        return ("name", "slug", "owner") if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Workspace | None = None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: Workspace | None):
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Workspace, form: forms.ModelForm[Workspace], change: bool) -> None:
        """The other settings are saved in place; read receipts go through their service, so every client in
        the workspace shows or drops them at once (team_pref_change), and so does the audit log's retention, so
        the change is recorded in the log (audit_retention_changed, by the staff user)."""
        receipts_changed = change and "read_receipts" in form.changed_data
        enabled = obj.read_receipts
        if receipts_changed:
            obj.read_receipts = not enabled
        audit_days = obj.audit_retention_days
        audit_changed = change and "audit_retention_days" in form.changed_data
        if audit_changed:
            obj.audit_retention_days = form.initial.get("audit_retention_days")
        super().save_model(request, obj, form, change)
        if receipts_changed:
            workspace_set_read_receipts(actor=None, workspace=obj, enabled=enabled)
        if audit_changed:
            workspace_set_audit_retention(actor=None, workspace=obj, days=audit_days)

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[Workspace]) -> Workspace:
        data = form.cleaned_data
        return workspace_create(creator=data["owner"], name=data["name"], slug=data["slug"])


# --- Memberships --------------------------------------------------------------------------------


class MembershipAddForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("workspace", "user", "role")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        user = cleaned.get("user")
        if user is not None and not user.is_active:
            self.add_error("user", f"{user.email} has been deactivated.")
        return cleaned


@admin.register(Membership)
class MembershipAdmin(ServiceModelAdmin[Membership]):
    """Added by member_add; roles change and people leave through actions (member_change_role, ...)."""

    list_display = ("user", "workspace", "role", "is_active", "joined_at", "deactivated_at")
    list_select_related = ("user", "workspace")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "user__full_name", "=user__public_id", "workspace__slug", "workspace__name")
    autocomplete_fields = ("user", "workspace")
    readonly_fields = ("user", "workspace", "role", "is_active", "joined_at", "deactivated_at")
    ordering = ("workspace__slug", "user__email")
    actions = ("deactivate", "reactivate", "make_owner", "make_admin", "make_member", "make_guest")

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Membership | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Membership]]:
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: Membership | None = None):
        return ("workspace", "user", "role") if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[Membership]) -> Membership:
        data = form.cleaned_data
        return member_add(actor=None, workspace=data["workspace"], user=data["user"], role=data["role"])

    def _run(self, request: HttpRequest, queryset: QuerySet[Membership], service, done: str) -> None:
        rows = queryset.select_related("user", "workspace")
        run_service_action(
            self, request, rows, lambda m: service(actor=None, workspace=m.workspace, user=m.user), done=done
        )

    @admin.action(description="Deactivate the selected members", permissions=["operate"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._run(request, queryset, member_deactivate, "Deactivated")

    @admin.action(description="Reactivate the selected members", permissions=["operate"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._run(request, queryset, member_reactivate, "Reactivated")

    def _change_role(self, request: HttpRequest, queryset: QuerySet[Membership], role: Role) -> None:
        def change(*, actor, workspace, user):
            return member_change_role(actor=actor, workspace=workspace, user=user, role=role)

        self._run(request, queryset, change, f"Made {role.label.lower()}")

    @admin.action(description="Make the selected members owners", permissions=["operate"])
    def make_owner(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.OWNER)

    @admin.action(description="Make the selected members admins", permissions=["operate"])
    def make_admin(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.ADMIN)

    @admin.action(description="Make the selected people (full) members", permissions=["operate"])
    def make_member(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.MEMBER)

    @admin.action(description="Make the selected members guests", permissions=["operate"])
    def make_guest(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.GUEST)


# --- Invitations --------------------------------------------------------------------------------


class InvitationAddForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in Role if r != Role.OWNER],
        initial=Role.MEMBER,
        help_text="Owners are made by changing a member's role, never invited.",
    )
    expires_in_days = forms.IntegerField(min_value=1, max_value=365, required=False, help_text="Default: 14 days.")

    class Meta:
        model = Invitation
        fields = ("workspace", "email", "role", "max_uses")
        help_texts = {"email": "Empty for a link anyone can use; an emailed invitation is used once by default."}


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "open":
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ServiceModelAdmin[Invitation]):
    """Created by invitation_create and stopped by invitation_revoke."""

    list_display = ("__str__", "workspace", "role", "inviter", "uses", "max_uses", "expires_at", "state")
    list_select_related = ("workspace", "inviter")
    list_filter = (InvitationStateFilter, "role")
    search_fields = ("email", "workspace__slug", "workspace__name")
    autocomplete_fields = ("workspace",)
    readonly_fields: ClassVar[tuple[str, ...]] = (
        "public_id",
        "workspace",
        "email",
        "role",
        "link",
        "inviter",
        "created_at",
        "expires_at",
    )
    readonly_fields += ("max_uses", "uses", "revoked_at")
    ordering = ("-created_at",)
    actions = ("revoke",)

    @admin.display(description="joining link")
    def link(self, invitation: Invitation) -> str:
        """A link for anyone is there to be shared; an addressed invitation's link is its addressee's alone."""
        if invitation.shareable_token is None:
            return "Mailed to its address only"
        return invitation_url(invitation)

    @admin.display(description="state")
    def state(self, invitation: Invitation) -> str:
        if invitation.revoked_at is not None:
            return "revoked"
        if invitation.is_expired:
            return "expired"
        return "used up" if invitation.is_used_up else "open"

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Invitation | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Invitation]]:
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Invitation | None = None):
        return ("workspace", "email", "role", "max_uses", "expires_in_days") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None):
        return () if obj is None else self.readonly_fields

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[Invitation]) -> Invitation:
        data = form.cleaned_data
        return invitation_create(
            actor=None,
            workspace=data["workspace"],
            email=data.get("email") or "",
            role=data["role"],
            max_uses=data.get("max_uses"),
            expires_in_days=data.get("expires_in_days"),
        )

    @admin.action(description="Revoke the selected invitations", permissions=["operate"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        rows = queryset.filter(revoked_at__isnull=True).select_related("workspace")
        run_service_action(
            self, request, rows, lambda invitation: invitation_revoke(actor=None, invitation=invitation), done="Revoked"
        )


# --- User groups --------------------------------------------------------------------------------


class UserGroupMemberInline(ReadOnlyInline):
    model = UserGroupMember
    fields = ("user", "added_at")
    readonly_fields = fields
    ordering = ("user__email",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserGroupMember]:
        return super().get_queryset(request).select_related("user")


class UserGroupAddForm(forms.ModelForm):
    class Meta:
        model = UserGroup
        fields = ("workspace", "name", "handle", "description")

    def clean_handle(self) -> str:
        try:
            return check_usergroup_handle(self.cleaned_data["handle"])
        except DomainError as error:
            raise domain_validation_error(error) from None


@admin.register(UserGroup)
class UserGroupAdmin(ServiceModelAdmin[UserGroup]):
    """Created by usergroup_create (the same rules as everywhere: a handle that is a person's name is refused);
    disabled and enabled through actions. Their people are set in the workspace, or the APIs."""

    list_display = ("handle", "name", "workspace", "public_id", "disabled_at", "created_at")
    list_select_related = ("workspace",)
    search_fields = ("handle", "name", "=public_id", "workspace__slug")
    autocomplete_fields = ("workspace",)
    readonly_fields: ClassVar[tuple[str, ...]] = ("public_id", "workspace", "handle", "name", "description")
    readonly_fields += ("default_channels", "created_by", "created_at", "updated_at", "disabled_at")
    ordering = ("workspace__slug", "handle")
    inlines = (UserGroupMemberInline,)
    actions = ("disable", "enable")

    def has_change_permission(self, request: HttpRequest, obj: UserGroup | None = None) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: UserGroup | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[UserGroup]]:
        if obj is None:
            kwargs["form"] = UserGroupAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: UserGroup | None = None):
        return ("workspace", "name", "handle", "description") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: UserGroup | None = None):
        return () if obj is None else self.readonly_fields

    def get_inlines(self, request: HttpRequest, obj: UserGroup | None):
        return self.inlines if obj is not None else ()

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[UserGroup]) -> UserGroup:
        data = form.cleaned_data
        return usergroup_create(
            actor=None,
            workspace=data["workspace"],
            name=data["name"],
            handle=data["handle"],
            description=data.get("description") or "",
        )

    def _set_enabled(self, request: HttpRequest, queryset: QuerySet[UserGroup], enabled: bool, done: str) -> None:
        rows = queryset.select_related("workspace")
        run_service_action(
            self,
            request,
            rows,
            lambda group: usergroup_set_enabled(actor=None, group=group, enabled=enabled),
            done=done,
        )

    @admin.action(description="Disable the selected user groups", permissions=["operate"])
    def disable(self, request: HttpRequest, queryset: QuerySet[UserGroup]) -> None:
        self._set_enabled(request, queryset, False, "Disabled")

    @admin.action(description="Enable the selected user groups", permissions=["operate"])
    def enable(self, request: HttpRequest, queryset: QuerySet[UserGroup]) -> None:
        self._set_enabled(request, queryset, True, "Enabled")
