from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity: single sign-on, two-factor and sessions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The sign-in audit receivers (allauth's user_logged_in).
        from identity.saml import signin  # noqa: F401
