"""A workspace's LDAP or Active Directory server, and which accounts came from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import Role


class GroupType(models.TextChoices):
    """How group membership is written in the directory (django-auth-ldap's group types)."""

    GROUP_OF_NAMES = "groupOfNames", _("OpenLDAP groupOfNames (member)")
    GROUP_OF_UNIQUE_NAMES = "groupOfUniqueNames", _("groupOfUniqueNames (uniqueMember)")
    ACTIVE_DIRECTORY = "activeDirectory", _("Active Directory, nested groups (member)")


# The role groups in the order they win: someone in both the admins' and the members' group is an admin.
ROLE_GROUP_FIELDS = (
    (Role.OWNER, "owner_group_dn"),
    (Role.ADMIN, "admin_group_dn"),
    (Role.MEMBER, "member_group_dn"),
    (Role.GUEST, "guest_group_dn"),
)

# Changing any of these points the configuration at other people: the operator's trust ends with it.
TRUST_FIELDS = ("server_uri", "start_tls", "bind_dn", "user_search_base", "user_filter", "attr_email")


class Directory(models.Model):
    """One workspace's directory. Owners set everything but `trusted`, which only the operator sets (Django
    admin): sign-in and sync use a directory only when it is enabled AND trusted, because a trusted directory's
    email addresses count as verified (docs/identity.md, "LDAP and Active Directory")."""

    workspace = models.OneToOneField("workspaces.Workspace", on_delete=models.CASCADE, related_name="directory")
    enabled = models.BooleanField(default=False)
    trusted = models.BooleanField(
        default=False,
        help_text=_(
            "Set by the operator: this server's email addresses count as verified. Cleared when the server, "
            "bind DN, search or email attribute change."
        ),
    )
    server_uri = models.CharField(max_length=255, help_text=_("ldap://host:389 or ldaps://host:636"))
    start_tls = models.BooleanField(default=False)
    bind_dn = models.CharField(max_length=512, blank=True)
    # Sealed (directory.sealing); never shown back.
    bind_password_sealed = models.TextField(blank=True)
    user_search_base = models.CharField(max_length=512)
    user_filter = models.CharField(max_length=512, default="(mail=%(user)s)")
    attr_email = models.CharField(max_length=64, default="mail")
    attr_full_name = models.CharField(max_length=64, default="cn", blank=True)
    attr_display_name = models.CharField(max_length=64, blank=True)
    group_search_base = models.CharField(max_length=512, blank=True)
    group_type = models.CharField(max_length=32, choices=GroupType.choices, default=GroupType.GROUP_OF_NAMES)
    owner_group_dn = models.CharField(max_length=512, blank=True)
    admin_group_dn = models.CharField(max_length=512, blank=True)
    member_group_dn = models.CharField(max_length=512, blank=True)
    guest_group_dn = models.CharField(max_length=512, blank=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=5)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "directories"

    def __str__(self) -> str:
        return f"{self.server_uri} for {self.workspace.slug}"

    @property
    def has_bind_password(self) -> bool:
        return bool(self.bind_password_sealed)

    def role_groups(self) -> list[tuple[Role, str]]:
        """The mapped groups, strongest role first."""
        return [(role, getattr(self, field)) for role, field in ROLE_GROUP_FIELDS if getattr(self, field)]


class DirectoryLink(models.Model):
    """This account is the directory's entry `dn`: made by a first LDAP sign-in, or linked to a member of the
    directory's workspace (never to another account just because the address matches)."""

    directory = models.ForeignKey(Directory, on_delete=models.CASCADE, related_name="links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_links")
    dn = models.CharField(max_length=512)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["directory", "user"], name="directory_link_user_unique"),
            models.UniqueConstraint(fields=["directory", "dn"], name="directory_link_dn_unique"),
        ]

    def __str__(self) -> str:
        return self.dn
