from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity: single sign-on, two-factor and sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from identity import receivers  # noqa: F401 (connects the audit receivers)
        from identity.middleware import record_session_at_sign_in
        from identity.policy import record_sign_in

        user_logged_in.connect(record_session_at_sign_in, dispatch_uid="identity.record_session_at_sign_in")
        # Every way in (password, LDAP, single sign-on, passkey, the API's session login) ends in Django's
        # login(): the one place the session learns how it signed in (the workspace sign-in policy reads it).
        user_logged_in.connect(record_sign_in, dispatch_uid="identity.record_sign_in")
