"""Backups of the cluster with point-in-time recovery: pgBackRest for PostgreSQL, a tar for uploaded files.

`python -m cluster.backup backup` (what `make backup` runs) takes a full backup of the running cluster's
primary into a repository inside the cluster directory, then archives its uploaded files (MEDIA_ROOT) under
the same label. Between backups PostgreSQL hands every finished WAL segment to `pgbackrest archive-push`
(archive_parameters(), merged into the server's settings), so a restore can stop at any moment after the
oldest kept backup, not only at a backup. docs/operations.md has the restore steps.

PostgreSQL and pgBackRest refuse to work as root: under root every command runs as the `postgres` user
(runuser), and every path they touch is handed to that user.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from string import Template

import psycopg

from cluster.layout import DEFAULT_DIR, Layout
from cluster.postgres import give_to_server_user

TEMPLATES = Path(__file__).resolve().parent / "templates"
STANZA = "slackclone"
SERVER_USER = "postgres"


class BackupError(RuntimeError):
    """A backup or restore step failed; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class BackupPaths:
    """Where the backups of the cluster's database and uploaded files live, and which server is backed up.

    `root` holds the repository, pgBackRest's logs, locks and configuration: the postgres user must reach
    it. `pg_data`, `pg_port` and `socket_dir` name the primary when a backup is taken; the commands that
    need no running server (info, restore) leave them out. `media_dir` is the cluster's MEDIA_ROOT.
    """

    root: Path
    media_dir: Path
    pg_data: Path | None = None
    pg_port: int | None = None
    socket_dir: Path | None = None

    @property
    def config(self) -> Path:
        return self.root / "pgbackrest.conf"

    @property
    def repo(self) -> Path:
        return self.root / "repo"

    @property
    def media_archives(self) -> Path:
        """Beside pgBackRest's own archive/ and backup/ folders; pgBackRest never reads it."""
        return self.repo / "media" / STANZA


@dataclass(frozen=True)
class BackupSet:
    """One backup in the repository, as `pgbackrest info` reports it."""

    label: str
    kind: str
    started: datetime
    stopped: datetime


def as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


def backup_root(layout: Layout) -> Path:
    """<servers' directory>/backup: beside the cluster's PostgreSQL data, in a directory the postgres user
    can enter (a layout's `pg_dir` where it keeps its servers apart, else the cluster directory)."""
    return Path(getattr(layout, "pg_dir", "") or layout.dir) / "backup"


def repository(layout: Layout) -> BackupPaths:
    """The cluster's repository and MEDIA_ROOT (as the application processes see it), no server."""
    env = layout.env()
    media = Path(env.get("MEDIA_ROOT") or Path(env["SLACKCLONE_VAR_DIR"]) / "media")
    return BackupPaths(root=backup_root(layout), media_dir=media)


def paths_for(layout: Layout) -> BackupPaths:
    """The repository and the cluster's primary, as the primary itself reports it (the server that
    layout.database_url reaches for writing), so a failover changes nothing here."""
    query = (
        "SELECT current_setting('data_directory'), current_setting('port')::int,"
        " current_setting('unix_socket_directories'), current_setting('archive_mode'),"
        " current_setting('archive_command')"
    )
    try:
        with psycopg.connect(layout.database_url, connect_timeout=10) as connection:
            row = connection.execute(query).fetchone()
    except psycopg.OperationalError as error:
        raise BackupError("primary_unreachable", f"the cluster's primary does not answer: {error}") from None
    if row is None:
        raise BackupError("primary_unreachable", "the primary returned no settings")
    data, port, sockets, archive_mode, archive_command = row
    if archive_mode == "off" or "pgbackrest" not in archive_command:
        raise BackupError(
            "archiving_off",
            "the primary does not archive its WAL: merge cluster.backup.archive_parameters() into its settings "
            "and restart it (docs/operations.md)",
        )
    socket_dir = Path(sockets.split(",")[0].strip())
    return replace(repository(layout), pg_data=Path(data), pg_port=port, socket_dir=socket_dir)


def archive_parameters(target: Layout | BackupPaths) -> dict[str, str]:
    """PostgreSQL settings that ship every WAL segment to the repository (and fetch it back in recovery).

    PostgreSQL runs both commands in the server's data directory, so `--pg1-path="$PWD"` names whichever
    server runs them: every member can share these settings, and after a failover the new primary archives
    its own WAL. archive_timeout bounds what a quiet database can lose: a segment is closed at least once a
    minute. A standby does not archive (archive_mode=on, not always); the primary's archive is enough.
    """
    paths = target if isinstance(target, BackupPaths) else repository(target)
    command = f'pgbackrest --config={paths.config} --stanza={STANZA} --pg1-path="$PWD"'
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": f"{command} archive-push %p",
        "restore_command": f'{command} archive-get %f "%p"',
        "archive_timeout": "60",
    }


def write_config(paths: BackupPaths) -> Path:
    """Render templates/pgbackrest.conf and hand the repository's folders to the postgres user."""
    give_to_server_user(paths.root, 0o755)
    for name in ("repo", "log", "lock", "spool"):
        give_to_server_user(paths.root / name, 0o750)
    server = ""
    if paths.pg_data is not None:
        server = f"pg1-path={paths.pg_data}\npg1-port={paths.pg_port}\npg1-user={SERVER_USER}\n"
        server += f"pg1-socket-path={paths.socket_dir}\n" if paths.socket_dir else ""
    text = Template((TEMPLATES / "pgbackrest.conf").read_text()).substitute(
        repo=paths.repo,
        log=paths.root / "log",
        lock=paths.root / "lock",
        spool=paths.root / "spool",
        stanza=STANZA,
        server=server,
    )
    paths.config.write_text(text)
    paths.config.chmod(0o644)
    return paths.config


def pgbackrest(paths: BackupPaths, command: str, *options: str) -> str:
    """Run one pgBackRest command for the stanza as the postgres user; its output, or BackupError."""
    argv = ["pgbackrest", f"--config={paths.config}", f"--stanza={STANZA}", *options, command]
    result = subprocess.run(as_server_user(argv), capture_output=True, text=True)
    if result.returncode:
        output = (result.stdout + result.stderr).strip()
        raise BackupError(f"pgbackrest_{command.replace('-', '_')}_failed", f"{' '.join(argv)}\n{output}")
    return result.stdout


def stanza_create(paths: BackupPaths) -> None:
    """Create the stanza in the repository (again is harmless): it records the server's system id."""
    pgbackrest(paths, "stanza-create")


def check(paths: BackupPaths) -> None:
    """Switch to a new WAL segment and wait until it is archived: proves archive_command works end to end."""
    pgbackrest(paths, "check")


def backup(paths: BackupPaths, *, full: bool = True) -> BackupSet:
    """Take a backup (full, or incremental on the last one), then expire what retention no longer keeps."""
    pgbackrest(paths, "backup", f"--type={'full' if full else 'incr'}")
    return info(paths)[-1]


def info(paths: BackupPaths) -> list[BackupSet]:
    """The backups in the repository, oldest first."""
    stanzas = json.loads(pgbackrest(paths, "info", "--output=json"))
    sets = []
    for entry in stanzas[0]["backup"] if stanzas else []:
        sets.append(
            BackupSet(
                label=entry["label"],
                kind=entry["type"],
                started=datetime.fromtimestamp(entry["timestamp"]["start"], UTC),
                stopped=datetime.fromtimestamp(entry["timestamp"]["stop"], UTC),
            )
        )
    return sets


def restore(paths: BackupPaths, target_time: datetime, data_dir: Path) -> None:
    """Restore into `data_dir` (new or empty) to the state at `target_time`, then promote when reached.

    pgBackRest picks the newest backup that ended before the target and writes the recovery settings
    (restore_command, recovery_target_time); starting the server replays the archived WAL up to the target.
    """
    if target_time.tzinfo is None:
        raise BackupError("naive_target_time", "give the target time with its time zone (e.g. +00:00)")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError("data_dir_not_empty", f"{data_dir} is not empty: restore into a fresh directory")
    if not any(backup_set.stopped < target_time for backup_set in info(paths)):
        raise BackupError("no_backup_before_target", f"no backup ended before {target_time.isoformat()}")
    give_to_server_user(data_dir)
    target = target_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
    pgbackrest(
        paths,
        "restore",
        f"--pg1-path={data_dir}",
        "--type=time",
        f"--target={target}",
        "--target-action=promote",
    )


def archive_media(paths: BackupPaths, label: str) -> Path:
    """A gzipped tar of the uploaded files named after the backup label; written aside, then renamed."""
    paths.media_archives.mkdir(parents=True, exist_ok=True)
    paths.media_archives.chmod(0o700)  # uploads may be private: only their owner reads the archives
    archive = paths.media_archives / f"{label}.tar.gz"
    partial = archive.with_name(archive.name + ".partial")
    partial.touch(mode=0o600)
    with tarfile.open(partial, "w:gz", compresslevel=3) as tar:
        if paths.media_dir.is_dir():
            tar.add(paths.media_dir, arcname="media")
    partial.rename(archive)
    return archive


def prune_media(paths: BackupPaths, kept: list[BackupSet]) -> list[Path]:
    """Delete the file archives of backups that retention expired; returns what was deleted."""
    labels = {backup_set.label for backup_set in kept}
    removed = []
    for archive in sorted(paths.media_archives.glob("*.tar.gz")):
        if archive.name.removesuffix(".tar.gz") not in labels:
            archive.unlink()
            removed.append(archive)
    return removed


def media_archive_for(paths: BackupPaths, target_time: datetime) -> Path:
    """The file archive of the newest backup that ended at or before `target_time` (the one the
    database restore starts from)."""
    candidates = [s for s in info(paths) if s.stopped <= target_time]
    for backup_set in reversed(candidates):
        archive = paths.media_archives / f"{backup_set.label}.tar.gz"
        if archive.exists():
            return archive
    raise BackupError("no_media_archive", f"no archive of uploaded files from before {target_time.isoformat()}")


def restore_media(archive: Path, media_dir: Path) -> Path | None:
    """Replace `media_dir` by the archive's files. The previous folder is kept beside it (returned), never
    deleted: files uploaded after the archive was made are only there."""
    staging = media_dir.with_name(media_dir.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(staging, filter="data")
    previous = None
    if media_dir.exists():
        previous = media_dir.with_name(f"{media_dir.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        media_dir.rename(previous)
    restored = staging / "media"
    (restored if restored.exists() else staging).rename(media_dir)
    shutil.rmtree(staging, ignore_errors=True)
    return previous


def prepare_archiving(layout: Layout) -> None:
    """At the cluster's start, once its primary runs: the repository's configuration and the stanza, so the
    WAL every member archives (archive_parameters) is kept from the first segment on."""
    paths = paths_for(layout)
    write_config(paths)
    stanza_create(paths)


def backup_cluster(layout: Layout) -> tuple[BackupPaths, BackupSet, Path]:
    """What `make backup` does: the stanza (once), a full backup of the primary, then its uploaded files
    (after the database, so every file a backed-up row names is in the archive)."""
    paths = paths_for(layout)
    write_config(paths)
    stanza_create(paths)
    backup_set = backup(paths, full=True)
    archive = archive_media(paths, backup_set.label)
    prune_media(paths, info(paths))
    return paths, backup_set, archive


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time zone too, e.g. 2026-01-31T14:05:00+00:00")
    return moment


def _print_info(paths: BackupPaths) -> None:
    for backup_set in info(paths):
        archive = paths.media_archives / f"{backup_set.label}.tar.gz"
        files = archive.name if archive.exists() else "no file archive"
        print(f"{backup_set.label}  {backup_set.kind:5}  {backup_set.started:%Y-%m-%d %H:%M:%S} → "
              f"{backup_set.stopped:%H:%M:%S} UTC  {files}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the cluster's directory")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="full backup of the primary and an archive of the uploaded files")
    commands.add_parser("info", help="list the backups in the repository")
    restore_parser = commands.add_parser("restore", help="restore the database into a fresh data directory")
    media_parser = commands.add_parser("restore-media", help="replace MEDIA_ROOT by the archive for a time")
    for sub in (restore_parser, media_parser):
        sub.add_argument("--target", type=_parse_time, required=True, help="ISO time with zone")
    restore_parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    try:
        _run_command(args, Layout.load(args.dir.resolve()))
    except BackupError as error:
        raise SystemExit(str(error)) from None


def _run_command(args: argparse.Namespace, layout: Layout) -> None:
    paths = repository(layout)
    if args.command == "backup":
        paths, backup_set, archive = backup_cluster(layout)
        print(f"Backup {backup_set.label} ({backup_set.kind}) of {paths.pg_data} in {paths.repo}")
        print(f"Uploaded files ({paths.media_dir}) in {archive} ({archive.stat().st_size} bytes)")
        print(f"Point-in-time recovery from {info(paths)[0].stopped:%Y-%m-%d %H:%M:%S} UTC on.")
    elif args.command == "info":
        _print_info(paths)
    elif args.command == "restore":
        write_config(paths)
        restore(paths, args.target, args.data_dir.resolve())
        print(f"Restored into {args.data_dir}; start PostgreSQL on it to replay up to {args.target.isoformat()}.")
    else:
        archive = media_archive_for(paths, args.target)
        previous = restore_media(archive, paths.media_dir)
        print(f"Uploaded files from {archive.name} in {paths.media_dir}; the previous ones kept in {previous}.")


if __name__ == "__main__":
    main()
