"""The outbox's own job: a ping that does nothing, so an operator (or a benchmark) can prove the whole path,
from a commit through the broker to a worker and back to the row, with `manage.py outbox_check`."""

from __future__ import annotations

from outbox.registry import job


@job("outbox.ping", queue="default")
def ping(label: str = "") -> None:
    """Nothing: the row marked done is the answer."""
