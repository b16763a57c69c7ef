"""Talking to a directory with python-ldap: a bounded connection bound as the service account, the reason a
connection failed in words an owner can act on, the people under the search base and the members of groups.

Sign-in goes through django-auth-ldap (directory.backends); this module serves the configuration page's test
and `sync_ldap`, which read many entries at once. Every operation is bounded by the directory's timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ldap
from django.utils.translation import gettext_lazy as _
from ldap.controls import SimplePagedResultsControl
from ldap.filter import escape_filter_chars

from directory.models import Directory, GroupType
from directory.sealing import unseal

PAGE_SIZE = 500
# Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups.
AD_IN_CHAIN = "1.2.840.113556.1.4.1941"

REASONS = {
    "unreachable": _("The server could not be reached (address, port, firewall or TLS)."),
    "timeout": _("The server did not answer in time."),
    "bad_bind": _("The server refused the bind DN and password."),
    "tls_failed": _("StartTLS failed: the server does not offer it or its certificate is not trusted."),
    "no_such_base": _("The user search base does not exist on the server."),
    "bad_filter": _("The server refused the user filter."),
    "error": _("The server answered with an error."),
}


class DirectoryUnavailable(Exception):
    """The directory could not be used; `reason` is a key of REASONS, `detail` the library's words (logs only)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, REASONS["error"]))


def reason_of(error: ldap.LDAPError) -> str:
    """The REASONS key for a python-ldap error."""
    if isinstance(error, ldap.SERVER_DOWN | ldap.CONNECT_ERROR):
        return "unreachable"
    if isinstance(error, ldap.TIMEOUT | ldap.TIMELIMIT_EXCEEDED):
        return "timeout"
    if isinstance(error, ldap.INVALID_CREDENTIALS | ldap.INAPPROPRIATE_AUTH | ldap.INVALID_DN_SYNTAX):
        return "bad_bind"
    if isinstance(error, ldap.NO_SUCH_OBJECT):
        return "no_such_base"
    if isinstance(error, ldap.FILTER_ERROR):
        return "bad_filter"
    return "error"


def connection_options(directory: Directory) -> dict[int, Any]:
    """Bounded: connecting and each operation give up after the directory's timeout. No referrals (AD)."""
    seconds = max(1, min(int(directory.timeout_seconds), 30))
    return {ldap.OPT_NETWORK_TIMEOUT: seconds, ldap.OPT_TIMEOUT: seconds, ldap.OPT_REFERRALS: 0}


def connect(directory: Directory) -> Any:
    """A connection bound as the service account (anonymous when no bind DN). Raises DirectoryUnavailable."""
    connection = ldap.initialize(directory.server_uri)
    try:
        for option, value in connection_options(directory).items():
            connection.set_option(option, value)
        if directory.start_tls:
            try:
                connection.start_tls_s()
            except (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.PROTOCOL_ERROR) as error:
                raise DirectoryUnavailable("tls_failed", str(error)) from None
        connection.simple_bind_s(directory.bind_dn, unseal(directory.bind_password_sealed))
    except ldap.LDAPError as error:
        connection.unbind_s()
        raise DirectoryUnavailable(reason_of(error), str(error)) from None
    return connection


def all_people_filter(directory: Directory) -> str:
    """The user filter with `*` for the person: everyone who may sign in."""
    return directory.user_filter.replace("%(user)s", "*")


def _paged_search(connection: Any, base: str, filterstr: str, attrs: list[str]) -> list[tuple[str, dict]]:
    control = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
    entries: list[tuple[str, dict]] = []
    while True:
        msgid = connection.search_ext(base, ldap.SCOPE_SUBTREE, filterstr, attrs, serverctrls=[control])
        _, data, _, controls = connection.result3(msgid)
        entries.extend((dn, entry) for dn, entry in data if dn)
        cookies = [c.cookie for c in controls if c.controlType == SimplePagedResultsControl.controlType]
        if not cookies or not cookies[0]:
            return entries
        control.cookie = cookies[0]


@dataclass(frozen=True)
class Person:
    """One directory entry, as the workspace sees it."""

    dn: str
    email: str
    full_name: str
    display_name: str


def person_from_attrs(directory: Directory, dn: str, entry: dict) -> Person:
    """`entry` maps attribute names to lists of bytes (python-ldap) or of str (django-auth-ldap)."""

    def first(attribute: str) -> str:
        values = entry.get(attribute) if attribute else None
        if not values:
            return ""
        value = values[0]
        return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()

    return Person(
        dn=dn.lower(),
        email=first(directory.attr_email).lower(),
        full_name=first(directory.attr_full_name)[:120],
        display_name=first(directory.attr_display_name)[:80],
    )


def search_people(connection: Any, directory: Directory) -> dict[str, Person]:
    """Everyone under the user search base who matches the user filter, by lower-cased DN."""
    attrs = [a for a in (directory.attr_email, directory.attr_full_name, directory.attr_display_name) if a]
    try:
        entries = _paged_search(connection, directory.user_search_base, all_people_filter(directory), attrs)
    except ldap.LDAPError as error:
        raise DirectoryUnavailable(reason_of(error), str(error)) from None
    people = [person_from_attrs(directory, dn, entry) for dn, entry in entries]
    return {person.dn: person for person in people}


def group_member_dns(connection: Any, directory: Directory, group_dn: str) -> set[str]:
    """The lower-cased DNs of the group's members (nested ones too on Active Directory)."""
    try:
        if directory.group_type == GroupType.ACTIVE_DIRECTORY:
            filterstr = f"(memberOf:{AD_IN_CHAIN}:={escape_filter_chars(group_dn)})"
            return {dn.lower() for dn, _ in _paged_search(connection, directory.user_search_base, filterstr, ["1.1"])}
        attribute = "uniqueMember" if directory.group_type == GroupType.GROUP_OF_UNIQUE_NAMES else "member"
        result = connection.search_s(group_dn, ldap.SCOPE_BASE, "(objectClass=*)", [attribute])
    except ldap.NO_SUCH_OBJECT:
        return set()
    except ldap.LDAPError as error:
        raise DirectoryUnavailable(reason_of(error), str(error)) from None
    values = result[0][1].get(attribute, []) if result else []
    return {value.decode("utf-8", "replace").lower() for value in values}


def check_connection(directory: Directory) -> None:
    """Bind as the service account and read the user search base. Raises DirectoryUnavailable."""
    connection = connect(directory)
    try:
        connection.search_s(directory.user_search_base, ldap.SCOPE_BASE, "(objectClass=*)", ["1.1"])
        connection.search_ext_s(
            directory.user_search_base, ldap.SCOPE_SUBTREE, all_people_filter(directory), ["1.1"], sizelimit=1
        )
    except ldap.SIZELIMIT_EXCEEDED:
        pass
    except ldap.LDAPError as error:
        raise DirectoryUnavailable(reason_of(error), str(error)) from None
    finally:
        connection.unbind_s()
