"""import_slack_export: a Slack export into a workspace, in one call, idempotently.

First the whole export is read and checked (reader.ExportArchive.check: size caps, JSON depth,
each file's shape), so a refused export writes nothing. Then people (users.json), custom emoji
(when the export has them: emoji.json, or slackdump's index.json, and emojis/), conversations
(so mentions and members resolve), each conversation's history, then read markers and archived
state. Every object made is recorded in
integrations.ImportedObject by its Slack id, so running the same import again finds it and adds
nothing; running a later export of the same Slack workspace adds only what is new.

There is no one transaction around it all (an export can hold millions of messages): each person,
conversation and batch of 500 messages commits on its own, consistent, so an interrupted import
is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from integrations.slack_export.conversations import finish_conversation, import_conversations
from integrations.slack_export.emoji import import_emoji
from integrations.slack_export.history import import_history
from integrations.slack_export.people import import_users
from integrations.slack_export.reader import ExportArchive
from integrations.slack_export.run import ImportReport, ImportRun
from workspaces.models import Workspace


def import_slack_export(
    *,
    workspace: Workspace,
    path: str | Path,
    on_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
    invite: bool = False,
) -> ImportReport:
    """Import the export zip at `path` into `workspace`, as the trusted operator.

    `on_total` is told how many messages the export holds, then `progress` how many more have been
    handled (imported, found already imported, or skipped), so a caller can draw a progress bar.
    `invite` mails each person the import made a placeholder for an invitation that claims it.
    Callers: the import_slack_export command; tests.
    Every file it reads is read once through the size caps and checked against its shape before
    anything is written, so an export that is refused leaves the workspace as it was.
    Raises: invalid_arguments (not a zip, or no users.json), invalid_export (an entry over the
    IMPORT_* caps or unreadable, or a file not of Slack's shape), invalid_json (a file that is not
    UTF-8 JSON, or nests too deep).
    Events: those of the services used for people, emoji and channels (team_join, emoji_changed, ...);
    none for history, which clients read from the database.
    """
    archive = ExportArchive.open(path)
    try:
        archive.check()
        run = ImportRun(workspace=workspace, archive=archive, progress=progress or (lambda _count: None), invite=invite)
        import_users(run)
        import_emoji(run)
        conversations = import_conversations(run)
        if on_total is not None:
            on_total(sum(archive.message_count(conversation) for conversation, _ in conversations))
        for conversation, channel in conversations:
            import_history(run, conversation, channel)
            finish_conversation(conversation, channel)
        return run.report
    finally:
        archive.close()
