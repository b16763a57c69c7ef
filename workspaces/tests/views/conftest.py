import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded images go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
