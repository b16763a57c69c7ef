"""SCIM provisioning: the workspace's bearer tokens, and what SCIM knows of the people and groups it manages.

The people themselves are accounts.User and workspaces.Membership, the groups workspaces.UserGroup: these
rows keep only what SCIM adds (the identity provider's externalId and userName, the name parts it sent,
whether SCIM made the account) and never stand in for the membership.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from slackclone.ids import SCIM_TOKEN_PREFIX, new_public_id


class ScimToken(models.Model):
    """A workspace's provisioning credential. It acts only in its own workspace; only a SHA-256 hash of the
    raw token is kept (accounts.models.hash_token), the raw value is shown once."""

    public_id = models.CharField(
        max_length=16, unique=True, editable=False, default=partial(new_public_id, SCIM_TOKEN_PREFIX)
    )
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="scim_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'}) for {self.workspace_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ScimUser(models.Model):
    """What SCIM knows of one member: the IdP's ids for them, the name parts and address type it sent, and
    whether SCIM made their account (only then may SCIM change the account's address and names: see
    scim.services.users)."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_links")
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    given_name = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=120, blank=True)
    email_type = models.CharField(max_length=40, default="work")
    email_primary = models.BooleanField(default=True)
    account_created = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # SCIM deleted the person: their membership is deactivated and SCIM answers 404 for them (RFC 7644 3.6)
    # until the IdP provisions the same address again, which brings the membership back.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="scim_user_unique"),
            models.UniqueConstraint(
                "workspace",
                Lower("user_name"),
                condition=models.Q(deleted_at__isnull=True),
                name="scim_user_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} in {self.workspace_id}"


class ScimGroup(models.Model):
    """What SCIM knows of one user group: the IdP's externalId. A group SCIM deleted is disabled (its
    history and handle kept) and hidden from SCIM."""

    group = models.OneToOneField("workspaces.UserGroup", on_delete=models.CASCADE, related_name="scim_link")
    external_id = models.CharField(max_length=254, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"SCIM group {self.group_id}"
