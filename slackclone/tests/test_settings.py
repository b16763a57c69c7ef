"""The settings module: what the environment selects, and what it refuses.

Settings are module-level, so each case runs Django in a child process with a controlled
environment and reads back what it resolved (as JSON, or from `manage.py check`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

from slackclone.tests.subprocess_env import REAL_SECRET_KEY, clean_env, run_manage, run_python

RESOLVE_SETTINGS = """
import json
import django
django.setup()
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from slackclone.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "db_engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST"),
    "channel_layer": type(get_channel_layer()).__name__,
    "channel_layer_hosts": [
        host["address"] if isinstance(host, dict) else host
        for host in settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts", [])
    ]
    or None,
    "cache": type(caches["default"]).__name__,
    "ratelimit_cache": settings.RATELIMIT_USE_CACHE,
    "celery_eager": app.conf.task_always_eager,
    "celery_broker": app.conf.broker_url,
    "email_backend": settings.EMAIL_BACKEND,
    "media_root": str(settings.MEDIA_ROOT),
    "db_options": {key: value for key, value in db.get("OPTIONS", {}).items() if key != "pool"},
    "db_pool": "pool" in db.get("OPTIONS", {}),
    "replica_options": settings.DATABASES.get("replica", {}).get("OPTIONS"),
}))
"""

PLAIN_HTTP_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}
CHECK_ID_RE = re.compile(r"\(([a-z_]+\.[WE]\d{3})\)")


def real_stack_variables(**extra: str) -> dict[str, str]:
    """The PostgreSQL and Redis this test run uses, as an operator would set them."""
    return {"DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL, **extra}


def resolve(var_dir: Path, **variables: str) -> dict:
    result = run_python(RESOLVE_SETTINGS, clean_env(var_dir, **variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def deploy_check_ids(var_dir: Path, **variables: str) -> set[str]:
    result = run_manage("check", "--deploy", env=clean_env(var_dir, **variables))
    assert result.returncode == 0, result.stdout + result.stderr
    return set(CHECK_ID_RE.findall(result.stdout + result.stderr))


# --- Refusing to start ------------------------------------------------------------------


def test_debug_off_refuses_to_start_on_the_default_secret_key(tmp_path):
    result = run_python("import django; django.setup()", clean_env(tmp_path, DEBUG="0"))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG is off but SECRET_KEY is the built-in development key" in result.stderr


def test_real_stack_is_debug_off_and_refuses_the_default_secret_key_in_manage_py_check(tmp_path):
    result = run_manage("check", env=clean_env(tmp_path, **real_stack_variables()))

    assert result.returncode != 0
    assert "SECRET_KEY is the built-in development key" in result.stderr


def test_debug_off_starts_with_a_real_secret_key(tmp_path):
    result = run_manage("check", env=clean_env(tmp_path, DEBUG="0", SECRET_KEY=REAL_SECRET_KEY))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_boolean_variable_that_is_not_a_boolean_is_refused_with_its_name(tmp_path):
    result = run_python("import django; django.setup()", clean_env(tmp_path, DEBUG="maybe"))

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_outgoing_allowed_networks_that_are_not_networks_are_refused_with_the_entry(tmp_path):
    env = clean_env(tmp_path, OUTGOING_ALLOWED_NETWORKS="127.0.0.0/8, 10.0.0.0/33")
    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "OUTGOING_ALLOWED_NETWORKS must be comma-separated networks" in result.stderr
    assert "'10.0.0.0/33'" in result.stderr


def test_outgoing_allowed_networks_are_read_as_networks_and_none_by_default(tmp_path):
    code = "import django; django.setup(); from django.conf import settings; print(settings.OUTGOING_ALLOWED_NETWORKS)"
    given = run_python(code, clean_env(tmp_path, OUTGOING_ALLOWED_NETWORKS="127.0.0.1/8, ::1 ,10.1.2.3"))
    default = run_python(code, clean_env(tmp_path))

    assert given.stdout.strip() == "['127.0.0.0/8', '::1/128', '10.1.2.3/32']"
    assert default.stdout.strip() == "[]"


# --- The deploy check ---------------------------------------------------------------------


def test_deploy_check_on_plain_http_warns_only_about_what_https_would_fix(tmp_path):
    ids = deploy_check_ids(tmp_path, **real_stack_variables(DEBUG="0", SECRET_KEY=REAL_SECRET_KEY))

    assert ids == PLAIN_HTTP_WARNINGS


def test_deploy_check_behind_https_is_clean(tmp_path):
    ids = deploy_check_ids(tmp_path, **real_stack_variables(DEBUG="0", SECRET_KEY=REAL_SECRET_KEY, HTTPS="1"))

    assert ids == set()


# --- What the environment selects ---------------------------------------------------------


def test_database_and_redis_urls_select_the_real_stack(tmp_path):
    resolved = resolve(tmp_path, **real_stack_variables(SECRET_KEY=REAL_SECRET_KEY))

    assert resolved["debug"] is False
    assert resolved["db_engine"] == "django.db.backends.postgresql"
    assert resolved["db_name"] == dj_database_url.parse(settings.DATABASE_URL)["NAME"]
    assert resolved["channel_layer"] == "BatchedRedisChannelLayer"
    assert resolved["channel_layer_hosts"] == [settings.REDIS_URL]
    assert resolved["cache"] == "SharedPoolRedisCache"
    assert resolved["ratelimit_cache"] == "default"
    assert resolved["celery_eager"] is False
    assert resolved["celery_broker"] == settings.REDIS_URL


def test_channel_layer_urls_spread_the_channel_layer_over_several_redis_servers(tmp_path):
    hosts = "redis://127.0.0.1:6379/3,redis://127.0.0.1:6380/3"
    resolved = resolve(tmp_path, **real_stack_variables(SECRET_KEY=REAL_SECRET_KEY, CHANNEL_LAYER_URLS=hosts))

    assert resolved["channel_layer_hosts"] == hosts.split(",")


def test_no_variables_select_the_embedded_default_under_the_var_dir(tmp_path):
    resolved = resolve(tmp_path)

    assert resolved["debug"] is True
    assert resolved["db_engine"] == "django.db.backends.sqlite3"
    assert Path(resolved["db_name"]) == tmp_path / "slackclone.sqlite3"
    assert resolved["channel_layer"] == "InMemoryChannelLayer"
    assert resolved["cache"] == "LocMemCache"
    assert resolved["celery_eager"] is True
    assert resolved["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert Path(resolved["media_root"]) == tmp_path / "media"


@pytest.mark.parametrize("variable", ["DATABASE_URL", "REDIS_URL"])
def test_the_real_stack_needs_both_urls_to_turn_debug_off_by_default(tmp_path, variable):
    resolved = resolve(tmp_path, **{variable: real_stack_variables()[variable]})

    assert resolved["debug"] is True


@pytest.mark.parametrize("pool", ["0", "1"])
def test_options_in_the_database_url_are_kept_beside_ours(tmp_path, pool):
    url = "postgres://app@db.example.test:5432/chat?sslmode=require"
    resolved = resolve(
        tmp_path,
        **real_stack_variables(
            DATABASE_URL=url,
            DATABASE_POOL=pool,
            DATABASE_REPLICA_URL=url.replace("db.", "replica."),
            DATABASE_APPLICATION_NAME="asgi-7",
            SECRET_KEY=REAL_SECRET_KEY,
        ),
    )

    prepared = {"server_side_binding": True, "prepare_threshold": 5}
    assert resolved["db_options"] == {"sslmode": "require", "application_name": "asgi-7", **prepared}
    assert resolved["db_pool"] is (pool == "1")
    assert resolved["replica_options"] == {
        "sslmode": "require",
        "connect_timeout": 2,
        "application_name": "asgi-7",
        **prepared,
    }


def test_prepared_statements_can_be_turned_off(tmp_path):
    url = "postgres://app@db.example.test:5432/chat"
    variables = real_stack_variables(
        DATABASE_URL=url, DATABASE_REPLICA_URL=url, DATABASE_PREPARED_STATEMENTS="0", SECRET_KEY=REAL_SECRET_KEY
    )
    resolved = resolve(tmp_path, **variables)

    for options in (resolved["db_options"], resolved["replica_options"]):
        assert "server_side_binding" not in options
        assert "prepare_threshold" not in options


def test_a_multi_host_database_url_reaches_django_as_host_and_port_lists(tmp_path):
    primary = "postgres://app@127.0.0.1:5433,127.0.0.1:5434/chat?target_session_attrs=read-write"
    variables = real_stack_variables(DATABASE_URL=primary, SECRET_KEY=REAL_SECRET_KEY)
    variables["DATABASE_REPLICA_URL"] = primary.replace("read-write", "prefer-standby")
    resolved = resolve(tmp_path, **variables)

    assert resolved["db_host"] == "127.0.0.1,127.0.0.1"
    assert resolved["db_options"]["target_session_attrs"] == "read-write"
    assert resolved["replica_options"]["target_session_attrs"] == "prefer-standby"


def test_a_malformed_multi_host_database_url_is_refused_naming_the_host(tmp_path):
    url = "postgres://app@127.0.0.1:5433,127.0.0.1:x/chat"
    result = run_python("import django; django.setup()", clean_env(tmp_path, DATABASE_URL=url))

    assert result.returncode != 0
    assert "DATABASE_URL: host '127.0.0.1' has an invalid port 'x'" in result.stderr


# --- The ASGI process's garbage collector -------------------------------------------------------


def test_an_asgi_process_collects_garbage_at_the_configured_thresholds(tmp_path):
    code = "import gc, slackclone.asgi; print(gc.get_threshold())"
    default = run_python(code, clean_env(tmp_path))
    given = run_python(code, clean_env(tmp_path, ASGI_GC_THRESHOLDS="700,10,10"))

    assert default.stdout.strip() == "(10000, 20, 100)", default.stderr[-2000:]
    assert given.stdout.strip() == "(700, 10, 10)", given.stderr[-2000:]


@pytest.mark.parametrize("value", ["10000,20", "10000,20,0", "a,b,c", "-1,10,10"])
def test_gc_thresholds_that_are_not_three_positive_numbers_are_refused_with_the_value(tmp_path, value):
    result = run_python("import django; django.setup()", clean_env(tmp_path, ASGI_GC_THRESHOLDS=value))

    assert result.returncode != 0
    assert "ASGI_GC_THRESHOLDS must be three whole numbers above 0" in result.stderr
    assert repr(value) in result.stderr


@pytest.mark.parametrize("name", ["ASGI_REQUEST_THREADS", "GATEWAY_DATABASE_THREADS"])
@pytest.mark.parametrize("value", ["0", "-2"])
def test_thread_counts_below_one_are_refused_with_the_name_and_value(tmp_path, name, value):
    result = run_python("import django; django.setup()", clean_env(tmp_path, **{name: value}))

    assert result.returncode != 0
    assert f"{name} must be at least 1, not {value!r}" in result.stderr


def test_thread_counts_are_read_from_the_environment(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; "
    code += "print(s.ASGI_REQUEST_THREADS, s.GATEWAY_DATABASE_THREADS)"
    result = run_python(code, clean_env(tmp_path, ASGI_REQUEST_THREADS="3", GATEWAY_DATABASE_THREADS="1"))

    assert result.stdout.strip() == "3 1", result.stderr[-2000:]


# --- The test run's own settings ----------------------------------------------------------------------


def test_each_test_worker_takes_the_redis_database_after_the_runs_and_refuses_past_the_last():
    from slackclone.settings_test import worker_redis_url

    assert worker_redis_url("redis://127.0.0.1:6379/9", "gw0") == "redis://127.0.0.1:6379/10"
    assert worker_redis_url("redis://:secret@127.0.0.1:6380/9", "gw1") == "redis://:secret@127.0.0.1:6380/11"
    assert worker_redis_url("redis://127.0.0.1:6379", "gw0") == "redis://127.0.0.1:6379/1"
    with pytest.raises(RuntimeError, match="too few Redis databases"):
        worker_redis_url("redis://127.0.0.1:6379/14", "gw1")
