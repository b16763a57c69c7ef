"""The audit log: who did what security-relevant thing, when, from where. Rows are only ever added
(and pruned by the retention setting), never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """The closed set of recorded events; the value is the stable name exports and the API use."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    MFA_ENROLLED = "mfa_enrolled", _("Two-factor method added")
    MFA_REMOVED = "mfa_removed", _("Two-factor method removed")
    TOKEN_CREATED = "token_created", _("Token created")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")
    ROLE_CHANGED = "role_changed", _("Role changed")
    MEMBER_ADDED = "member_added", _("Member added")
    MEMBER_UPDATED = "member_updated", _("Member updated")
    MEMBER_DEACTIVATED = "member_deactivated", _("Member deactivated")
    MEMBER_REACTIVATED = "member_reactivated", _("Member reactivated")
    SSO_CONFIG_CHANGED = "sso_config_changed", _("Single sign-on configuration changed")
    SCIM_CONFIG_CHANGED = "scim_config_changed", _("SCIM configuration changed")
    SIGN_IN_POLICY_CHANGED = "sign_in_policy_changed", _("Sign-in policy changed")
    AUDIT_RETENTION_CHANGED = "audit_retention_changed", _("Audit log retention changed")
    APP_CREATED = "app_created", _("App created")
    APP_DELETED = "app_deleted", _("App deleted")
    EXPORT_RUN = "export_run", _("Export run")
    RETENTION_RUN = "retention_run", _("Retention run")


class AuditEvent(models.Model):
    """One recorded event. `workspace` is empty for events of a person's account (signing in, two-factor),
    which a workspace's owners see for their members. The labels keep what the actor and target were
    called at the time, so the record stays readable after they are renamed or deleted."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    # How (password, oidc:<slug>, saml:<slug>, ldap, scim, api...) and what changed; never a secret.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="audit_workspace_recent"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_recent"),
            # Account events about a person (a failed sign-in on their address), which their workspaces' owners
            # see (audit.selectors).
            models.Index(
                fields=["target_id", "-created_at"],
                name="audit_account_target_recent",
                condition=models.Q(workspace__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or '-'}"

    def save(self, *args, **kwargs) -> None:
        # The database refuses an UPDATE too (migration 0002, on PostgreSQL); this says so earlier, everywhere.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
