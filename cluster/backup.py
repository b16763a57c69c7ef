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
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from string import Template

import psycopg

from cluster.layout import DEFAULT_DIR, Layout
from cluster.postgres import as_server_user, give_to_server_user

TEMPLATES = Path(__file__).resolve().parent / "templates"
STANZA = "slackclone"


class BackupError(RuntimeError):
    """A backup or restore step failed; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class BackupPaths:
    """Where the backups of one PostgreSQL server (and its uploaded files) live.

    `root` holds the repository, pgBackRest's logs, locks and configuration; `pg_data`, `pg_port` and
    `socket_dir` name the server that is backed up (the primary), `media_dir` the uploaded files.
    """

    root: Path
    pg_data: Path
    pg_port: int
    socket_dir: Path
    media_dir: Path

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


def paths_for(layout: Layout) -> BackupPaths:
    """The loopback cluster's backup paths: <cluster>/backup, its primary, its MEDIA_ROOT."""
    env = layout.env()
    media = Path(env.get("MEDIA_ROOT") or Path(env["SLACKCLONE_VAR_DIR"]) / "media")
    return BackupPaths(
        root=layout.path / "backup",
        pg_data=layout.path / "pg-primary",
        pg_port=layout.pg_primary_port,
        socket_dir=layout.path / "pg-run",
        media_dir=media,
    )


def _paths(target: Layout | BackupPaths) -> BackupPaths:
    return target if isinstance(target, BackupPaths) else paths_for(target)


def archive_parameters(target: Layout | BackupPaths) -> dict[str, str]:
    """PostgreSQL settings that ship every WAL segment to the repository (and fetch it back in recovery).

    PostgreSQL runs both commands in the server's data directory, so `--pg1-path="$PWD"` names whichever
    server runs them: after a failover the new primary archives its own WAL with the same settings.
    archive_timeout bounds how much a quiet database can lose: a segment is switched at least once a minute.
    """
    paths = _paths(target)
    command = f'pgbackrest --config={paths.config} --stanza={STANZA} --pg1-path="$PWD"'
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": f"{command} archive-push %p",
        "restore_command": f'{command} archive-get %f "%p"',
        "archive_timeout": "60",
    }


def write_config(target: Layout | BackupPaths) -> Path:
    """Render templates/pgbackrest.conf and hand the repository's folders to the postgres user."""
    paths = _paths(target)
    give_to_server_user(paths.root, 0o755)
    for name in ("repo", "log", "lock", "spool"):
        give_to_server_user(paths.root / name, 0o750)
    text = Template((TEMPLATES / "pgbackrest.conf").read_text()).substitute(
        repo=paths.repo,
        log=paths.root / "log",
        lock=paths.root / "lock",
        spool=paths.root / "spool",
        stanza=STANZA,
        pg_data=paths.pg_data,
        pg_port=paths.pg_port,
        socket_dir=paths.socket_dir,
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


def require_archiving(paths: BackupPaths) -> None:
    """A backup without WAL archiving cannot be restored to a time: say so before pgBackRest does."""
    try:
        with psycopg.connect(host="127.0.0.1", port=paths.pg_port, user="postgres", dbname="postgres") as c:
            row = c.execute("SELECT current_setting('archive_mode'), current_setting('archive_command')").fetchone()
    except psycopg.OperationalError as error:
        raise BackupError("primary_unreachable", f"no PostgreSQL on port {paths.pg_port}: {error}") from None
    if row is None or row[0] == "off" or "pgbackrest" not in row[1]:
        raise BackupError(
            "archiving_off",
            "the primary does not archive its WAL: merge cluster.backup.archive_parameters() into its settings "
            "and restart it (docs/operations.md)",
        )


def backup_cluster(layout: Layout) -> tuple[BackupSet, Path]:
    """What `make backup` does: the stanza (once), a full backup of the primary, then its uploaded files."""
    paths = paths_for(layout)
    require_archiving(paths)
    write_config(paths)
    stanza_create(paths)
    backup_set = backup(paths, full=True)
    archive = archive_media(paths, backup_set.label)
    prune_media(paths, info(paths))
    return backup_set, archive


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
    layout = Layout.load(args.dir.resolve())
    paths = paths_for(layout)
    try:
        _run_command(args, layout, paths)
    except BackupError as error:
        raise SystemExit(str(error)) from None


def _run_command(args: argparse.Namespace, layout: Layout, paths: BackupPaths) -> None:
    if args.command == "backup":
        backup_set, archive = backup_cluster(layout)
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
