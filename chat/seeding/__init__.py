"""Demo and benchmark data for the seed_demo command, which is a thin adapter over `seed_demo` here.

- `demo`: the demo workspace, its people and channels, through the services.
- `bulk`: message history in volume (the demo's 2,000 by default, millions for benchmarks),
  written directly with the same invariants as message_post; the one place that bypasses it.
- `story`: the newest, hand-written conversations, posted through message_post, reaction_add
  and pin_add like anything people do in the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from chat.seeding.bulk import bulk_load_messages
from chat.seeding.demo import DemoWorkspace, demo_message_count, ensure_demo_workspace
from chat.seeding.story import post_storyline, story_messages_missing


@dataclass(frozen=True)
class SeedReport:
    demo: DemoWorkspace
    history_added: int
    history_seconds: float
    story_added: int
    total_messages: int

    @property
    def created(self) -> list[str]:
        return self.demo.created

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.history_added or self.story_added)


ProgressBar = Callable[[int], AbstractContextManager[Any]]


def seed_demo(*, messages: int, progress_bar: ProgressBar | None = None) -> SeedReport:
    """Bring the demo workspace up to `messages` messages (at least the storyline), creating what is missing.

    History is bulk-loaded first so the storyline, posted through the services, is the newest
    conversation in every channel. `progress_bar(total)` (for example tqdm) is entered around
    the bulk load and its `update(n)` called after each batch.
    Raises DomainError when a service refuses.
    """
    demo = ensure_demo_workspace()
    history_target = messages - story_messages_missing(demo)
    missing_history = max(0, history_target - demo_message_count(demo.workspace))
    history_added, started = 0, time.perf_counter()
    if missing_history:
        with progress_bar(missing_history) if progress_bar else nullcontext() as bar:
            update = bar.update if bar is not None else None
            history_added = bulk_load_messages(demo, target=history_target, progress=update)
    history_seconds = time.perf_counter() - started
    story_added = post_storyline(demo)
    return SeedReport(demo, history_added, history_seconds, story_added, demo_message_count(demo.workspace))
