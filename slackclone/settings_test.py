"""Test settings: the real stack (PostgreSQL and Redis on this machine) unless told otherwise.

Only what tests need differs from the base settings: a known secret key, fast password
hashing (one test checks that the base settings use Argon2), the in-memory mail outbox
and a Redis database of their own so a test run never touches a developer's data (one per
pytest-xdist worker: `make test` runs the suite in two).
"""

import os
import secrets

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/slackclone")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")


def worker_redis_url(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker ("gw0", "gw1"...): the one after the run's for the first,
    and so on, so that one worker's broker queues, presence and channel layer never meet another's."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    if database > 15:
        raise RuntimeError(f"REDIS_URL {url}: too few Redis databases after it for test worker {worker}")
    return urlunsplit(parts._replace(path=f"/{database}"))


if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("SLACKCLONE_TEST_WORKER_REDIS"):
    # Marked as done so that the processes a test starts, which inherit the environment, do not move again.
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])
    os.environ["SLACKCLONE_TEST_WORKER_REDIS"] = "1"

os.environ.setdefault("SECRET_KEY", "slackclone-test-secret-key-not-for-deployment")
os.environ.setdefault("DEBUG", "0")
# The apps tests run talk to servers on this machine (tests of the rule override it).
os.environ.setdefault("OUTGOING_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
# No test fetches the links its messages hold, but those of link previews (which turn this on).
os.environ.setdefault("LINK_PREVIEWS", "0")


def _test_vapid_key(secret: str) -> str:
    """A VAPID private key derived from the test secret: the same in the test process and the servers it starts."""
    import base64
    import hashlib

    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # the order of P-256
    scalar = int.from_bytes(hashlib.sha256(b"webpush-vapid:" + secret.encode()).digest()) % (n - 1) + 1
    return base64.urlsafe_b64encode(scalar.to_bytes(32, "big")).decode().rstrip("=")


os.environ.setdefault("WEBPUSH_VAPID_PRIVATE_KEY", _test_vapid_key(os.environ["SECRET_KEY"]))
os.environ.setdefault("WEBPUSH_DELAY_SECONDS", "0")

from slackclone.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test's own process, unless a test's server process is told to queue them for a worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Rate-limit counters live in the cache: a prefix of the run's own keeps one run's counts (sign-ups,
# mail to an address) from reaching into the next. Processes a test starts inherit it.
if "KEY_PREFIX" in CACHES["default"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = os.environ.setdefault("SLACKCLONE_TEST_CACHE_PREFIX", f"t{secrets.token_hex(4)}")  # noqa: F405
