"""Request and response shapes of the workspaces API."""

from __future__ import annotations

from rest_framework import serializers

from chat.api.serializers import UserSerializer
from workspaces.models import Role


class WorkspaceSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public workspace id (T…).")
    name = serializers.CharField()
    slug = serializers.CharField()
    created = serializers.IntegerField()
    icon = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices, help_text="Your role here.")
    read_receipts = serializers.BooleanField(
        help_text="Whether DMs and group DMs of up to 10 people show who has seen the last message."
    )


class WorkspaceOutSerializer(serializers.Serializer):
    workspace = WorkspaceSerializer()


class WorkspaceListSerializer(serializers.Serializer):
    workspaces = WorkspaceSerializer(many=True)


class MemberSerializer(serializers.Serializer):
    user = UserSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    joined = serializers.IntegerField()


class MemberOutSerializer(serializers.Serializer):
    member = MemberSerializer()


class MemberPageSerializer(serializers.Serializer):
    members = MemberSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class InvitationSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The invitation's public id (I…), to revoke it.")
    token = serializers.CharField(
        allow_null=True,
        help_text="The secret in the joining link; null for an invitation addressed to one email, which is "
        "mailed there and shown to no one else.",
    )
    workspace = serializers.CharField()
    email = serializers.CharField(help_text="Empty for a link anyone can use.")
    role = serializers.ChoiceField(choices=Role.choices)
    inviter = serializers.CharField(allow_null=True)
    created = serializers.IntegerField()
    expires = serializers.IntegerField()
    max_uses = serializers.IntegerField(allow_null=True)
    uses = serializers.IntegerField()
    accept_url = serializers.CharField(allow_null=True)


class InvitationOutSerializer(serializers.Serializer):
    invitation = InvitationSerializer()


class InvitationListSerializer(serializers.Serializer):
    invitations = InvitationSerializer(many=True)


class InvitationPreviewSerializer(serializers.Serializer):
    workspace = serializers.CharField()
    workspace_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    expires = serializers.IntegerField()


# --- Requests ---------------------------------------------------------------------------------


class WorkspaceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=100)


class MembersQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
    include_inactive = serializers.BooleanField(required=False, default=True)


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.CharField(max_length=20, help_text="owner, admin, member or guest.")


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    role = serializers.CharField(required=False, default=Role.MEMBER, max_length=20)
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100_000)
    expires_in_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=365)


# --- User groups ---------------------------------------------------------------------------------


class UsergroupPrefsSerializer(serializers.Serializer):
    channels = serializers.ListField(child=serializers.CharField(), help_text="Default channels (C…).")
    groups = serializers.ListField(child=serializers.CharField())


class UsergroupSerializer(serializers.Serializer):
    """Slack's usergroup object."""

    id = serializers.CharField(help_text="Public user group id (S…).")
    team_id = serializers.CharField()
    is_usergroup = serializers.BooleanField()
    is_subteam = serializers.BooleanField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    handle = serializers.CharField(help_text="Mentioned as @handle; written <!subteam^S…|@handle>.")
    is_external = serializers.BooleanField()
    date_create = serializers.IntegerField()
    date_update = serializers.IntegerField()
    date_delete = serializers.IntegerField(help_text="When it was disabled; 0 while enabled.")
    auto_type = serializers.CharField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)
    deleted_by = serializers.CharField(allow_null=True)
    prefs = UsergroupPrefsSerializer()
    user_count = serializers.IntegerField()
    users = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Its members you may see (U…)."
    )


class UsergroupOutSerializer(serializers.Serializer):
    usergroup = UsergroupSerializer()


class UsergroupListSerializer(serializers.Serializer):
    usergroups = UsergroupSerializer(many=True)


USERGROUP_MAX_IDS = 1000


def public_ids(**options) -> serializers.ListField:
    """A bounded list of public ids (each field needs a child of its own)."""
    return serializers.ListField(child=serializers.CharField(max_length=32), max_length=USERGROUP_MAX_IDS, **options)


class UsergroupsQuerySerializer(serializers.Serializer):
    include_disabled = serializers.BooleanField(required=False, default=False)


class UsergroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    handle = serializers.CharField(max_length=100, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    channels = public_ids(required=False, default=list, help_text="Default channels (C…), public ones.")
    users = public_ids(required=False, default=list, help_text="Its members (U…).")


class UsergroupUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200, allow_blank=True)
    handle = serializers.CharField(required=False, max_length=100, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    channels = public_ids(required=False, help_text="Default channels (C…); [] clears them.")
    enabled = serializers.BooleanField(required=False, help_text="false disables the group, true enables it.")


class UsergroupUsersSerializer(serializers.Serializer):
    users = public_ids(help_text="Every member of the group (U…): it replaces them.")
