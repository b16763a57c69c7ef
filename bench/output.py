"""What every benchmark writes beside its table: the machine it ran on, and its JSON under bench/results/."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    """The machine a run measured: results from a loaded or smaller machine say so themselves."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()}


def write_results(path: Path, results: dict[str, Any], *, quick: bool) -> str:
    """Write a run's results as JSON, unless it was a --quick check (its small numbers would replace the
    measured ones); returns the line that tells where they went."""
    if quick:
        return "\n(--quick: nothing written)"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    return f"\nWritten to {path}"
