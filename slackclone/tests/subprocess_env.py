"""Run Django in a child process with an environment the test controls.

Settings are read once, at import, from the environment; so each configuration is tried in a
fresh interpreter whose environment holds only what the test gives it, never the variables
of the test run itself (DATABASE_URL, REDIS_URL, SECRET_KEY...).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# A key Django's deploy check accepts: long, varied and without the django-insecure- prefix.
REAL_SECRET_KEY = "x9Lq3vR7mT2pW8sK4nB6yH1cF5gJ0dZ-aE_uV9iO3lQ7rS2tX8wY4zC6bN1mP5kD"
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


def clean_env(var_dir: Path, **variables: str) -> dict[str, str]:
    """The parent's PATH and locale, the embedded default's files under var_dir, and `variables`."""
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "slackclone.settings",
            "SLACKCLONE_VAR_DIR": str(var_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(variables)
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
