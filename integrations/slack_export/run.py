"""The state of one import: the workspace, the archive, what Slack ids map to, and the summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from integrations.models import ImportedKind, ImportedObject
from integrations.slack_export.reader import ExportArchive
from workspaces.models import Workspace


@dataclass
class ImportReport:
    """What an import made, found already made, or skipped (with the reason for each skip)."""

    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # (kind, reason) -> count
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def skip(self, kind: str, reason: str, example: str) -> None:
        self.skipped[(kind, reason)] += 1
        samples = self.examples.setdefault((kind, reason), [])
        if len(samples) < 3:
            samples.append(example)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.existing))
        lines = [f"{kind}: {self.created[kind]} created, {self.existing[kind]} already there" for kind in kinds]
        for (kind, reason), count in sorted(self.skipped.items()):
            examples = ", ".join(self.examples.get((kind, reason), []))
            lines.append(f"skipped {count} {kind}: {reason} (e.g. {examples})")
        return lines


@dataclass
class ImportRun:
    workspace: Workspace
    archive: ExportArchive
    report: ImportReport = field(default_factory=ImportReport)
    progress: Callable[[int], None] = lambda _count: None
    invite: bool = False  # mail each new placeholder's address an invitation that claims it
    users: dict = field(default_factory=dict)  # Slack user or bot id -> User
    channels: dict = field(default_factory=dict)  # Slack conversation id -> Channel

    def mapped(self, kind: ImportedKind, prefix: str = "") -> dict[str, int]:
        """Slack id -> our primary key, for what earlier runs (or this one) already imported."""
        rows = ImportedObject.objects.filter(workspace=self.workspace, kind=kind)
        if prefix:
            rows = rows.filter(source_id__startswith=prefix)
        return dict(rows.values_list("source_id", "target_id"))

    def record(self, kind: ImportedKind, pairs: list[tuple[str, int]]) -> None:
        ImportedObject.objects.bulk_create(
            [ImportedObject(workspace=self.workspace, kind=kind, source_id=s, target_id=t) for s, t in pairs],
            ignore_conflicts=True,
        )
