"""A throwaway OpenLDAP server for the tests: Debian's slapd, a temporary directory with its config and
database, a free loopback port, started and stopped by its own pid."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
LDAPADD = "/usr/bin/ldapadd"
SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret"
SERVICE_DN = f"cn=service,ou=system,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PEOPLE_BASE = f"ou=people,{SUFFIX}"
GROUPS_BASE = f"ou=groups,{SUFFIX}"
PASSWORD = "directory-pass-1"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
access to attrs=userPassword by self read by anonymous auth by * none
access to * by dn.exact="{service}" read by self read by * none
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {admin_password}
directory {root}/data
"""


def person(uid: str, name: str, *, mail: str | None = None, surname: str = "Person") -> str:
    return (
        f"dn: uid={uid},{PEOPLE_BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {surname}\n"
        f"displayName: {uid}\nmail: {mail or uid + '@example.org'}\nuserPassword: {PASSWORD}\n\n"
    )


def group(cn: str, *uids: str) -> str:
    members = "".join(f"member: uid={uid},{PEOPLE_BASE}\n" for uid in uids) or f"member: {ADMIN_DN}\n"
    return f"dn: cn={cn},{GROUPS_BASE}\nobjectClass: groupOfNames\ncn: {cn}\n{members}\n"


BASE_LDIF = (
    f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n"
    f"dn: ou=system,{SUFFIX}\nobjectClass: organizationalUnit\nou: system\n\n"
    f"dn: {SERVICE_DN}\nobjectClass: person\ncn: service\nsn: service\nuserPassword: {SERVICE_PASSWORD}\n\n"
    f"dn: {PEOPLE_BASE}\nobjectClass: organizationalUnit\nou: people\n\n"
    f"dn: {GROUPS_BASE}\nobjectClass: organizationalUnit\nou: groups\n\n"
    f"dn: ou=contractors,{SUFFIX}\nobjectClass: organizationalUnit\nou: contractors\n\n"
    + person("alice", "Alice Anders")
    + person("bob", "Bob Brown")
    + person("carol", "Carol Chen")
    + person("dave", "Dave Dunn")
    + person("frank", "Frank Fox")
    + f"dn: uid=eve,ou=contractors,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: eve\ncn: Eve Evans\nsn: Evans\n"
    f"mail: eve@example.org\nuserPassword: {PASSWORD}\n\n"
    + group("chat-owners", "alice")
    + group("chat-admins", "bob")
    + group("chat-users", "alice", "bob", "carol")
    + group("chat-guests", "dave")
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Slapd:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self) -> None:
        (self.root / "data").mkdir(exist_ok=True)
        conf = self.root / "slapd.conf"
        conf.write_text(
            CONFIG.format(
                root=self.root, service=SERVICE_DN, suffix=SUFFIX, admin=ADMIN_DN, admin_password=ADMIN_PASSWORD
            )
        )
        # -d 0 keeps slapd in the foreground, so self.process.pid is slapd's own pid.
        self.process = subprocess.Popen(
            [SLAPD, "-d", "0", "-h", self.uri, "-f", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("slapd exited at start") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("slapd did not start listening")

    def ldapmodify(self, ldif: str, *, add: bool = True) -> None:
        command = [LDAPADD if add else "/usr/bin/ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN]
        subprocess.run([*command, "-w", ADMIN_PASSWORD], input=ldif.encode(), check=True, capture_output=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


def start_slapd() -> Slapd:
    server = Slapd(root=Path(tempfile.mkdtemp(prefix="sc-slapd-")), port=free_port())
    # Also at exit, by its pid: a test cancelled mid-way (an async timeout) may skip its fixture's teardown.
    atexit.register(remove_slapd, server)
    server.start()
    server.ldapmodify(BASE_LDIF)
    return server


def remove_slapd(server: Slapd) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
