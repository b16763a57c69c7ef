"""DATABASE_URL with several servers (libpq's multi-host form), as the Patroni pair of `make cluster` uses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from slackclone.database_url import parse_database_url

PAIR = "postgres://app:secret@10.0.0.1:5433,10.0.0.2:5434/chat?target_session_attrs=read-write"


def test_a_host_list_becomes_parallel_host_and_port_lists_for_libpq():
    config = parse_database_url("DATABASE_URL", PAIR, conn_max_age=60)

    assert config["HOST"] == "10.0.0.1,10.0.0.2"
    assert config["PORT"] == "5433,5434"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("chat", "app", "secret")
    assert config["OPTIONS"] == {"target_session_attrs": "read-write"}
    assert config["CONN_MAX_AGE"] == 60


def test_a_host_without_a_port_takes_the_default_and_ipv6_hosts_keep_their_brackets_off():
    config = parse_database_url("DATABASE_URL", "postgres://u@[::1]:5433,db.example.test/chat")

    assert config["HOST"] == "::1,db.example.test"
    assert config["PORT"] == "5433,"


def test_a_single_host_url_is_parsed_as_before():
    config = parse_database_url("DATABASE_URL", "postgres://u@127.0.0.1:5432/chat?sslmode=require")

    assert (config["HOST"], config["PORT"], config["OPTIONS"]) == ("127.0.0.1", 5432, {"sslmode": "require"})


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgres://u@127.0.0.1:5432,127.0.0.1:54x2/chat",
            "DATABASE_URL: host '127.0.0.1' has an invalid port '54x2'",
        ),
        ("postgres://u@127.0.0.1:5432,:5433/chat", "DATABASE_URL has an empty host in its host list: ':5433'"),
        ("postgres://u@127.0.0.1:99999,10.0.0.2:1/chat", "DATABASE_URL: host '127.0.0.1' has an invalid port '99999'"),
    ],
)
def test_a_malformed_host_list_names_the_variable_and_the_host(url, message):
    with pytest.raises(ImproperlyConfigured) as failure:
        parse_database_url("DATABASE_URL", url)

    assert str(failure.value) == message
