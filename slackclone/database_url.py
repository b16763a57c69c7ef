"""DATABASE_URL parsing that also takes libpq's multi-host form.

`postgres://user@10.0.0.1:5432,10.0.0.2:5432/db?target_session_attrs=read-write` lets libpq (and so
psycopg) try each server in turn and keep the first that matches `target_session_attrs`: the
application follows a failover without a proxy. dj-database-url cannot parse such a netloc, so the
host list is split off here, the rest of the URL is parsed by dj-database-url as usual, and Django gets
HOST="10.0.0.1,10.0.0.2" and PORT="5432,5432", which it hands to psycopg unchanged (libpq pairs them).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def parse_database_url(variable: str, url: str, **options: Any) -> dj_database_url.DBConfig:
    """dj_database_url.parse(url, **options), accepting several `host:port` pairs separated by commas.

    Raises ImproperlyConfigured naming `variable` and the offending host when a pair is malformed.
    """
    parts = urlsplit(url)
    userinfo, _, hostlist = parts.netloc.rpartition("@")
    if "," not in hostlist:
        try:
            return dj_database_url.parse(url, **options)
        except ValueError as exc:  # dj_database_url.ParseError is one
            raise ImproperlyConfigured(f"{variable} is not a valid database URL: {exc}") from exc
    hosts, ports = zip(*(_host_and_port(variable, item) for item in hostlist.split(",")), strict=True)
    # Any one plain host lets dj-database-url parse the rest; HOST and PORT are then replaced.
    single = f"{userinfo}@localhost" if userinfo else "localhost"
    config = dj_database_url.parse(urlunsplit(parts._replace(netloc=single)), **options)
    config["HOST"] = ",".join(hosts)
    config["PORT"] = ",".join(ports)
    return config


def _host_and_port(variable: str, item: str) -> tuple[str, str]:
    """('host', 'port') of one `host[:port]` of a host list ('' for the default port, 5432)."""
    item = item.strip()
    if item.startswith("["):  # an IPv6 address: [::1]:5432
        host, _, rest = item[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = item.partition(":")
    if not host:
        raise ImproperlyConfigured(f"{variable} has an empty host in its host list: {item!r}")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise ImproperlyConfigured(f"{variable}: host {host!r} has an invalid port {port!r}")
    return host, port
