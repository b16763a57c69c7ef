from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directory"
    verbose_name = "LDAP and Active Directory"

    def ready(self) -> None:
        from directory import receivers  # noqa: F401  (records directory outages in the audit log)
