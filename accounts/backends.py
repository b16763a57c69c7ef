"""Email login without regard to case."""

from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """ModelBackend already matches through `get_by_natural_key`, which ignores case;
    this class only names the backend in settings so the choice is visible."""
