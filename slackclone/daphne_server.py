"""Daphne's own command line (`python -m slackclone.daphne_server ARGS`, what `make run` starts), with the
secrets in its access log redacted.

Daphne writes its access log itself, straight to a stream, not through logging, so the redacting filter of
settings.LOGGING never sees those lines: the server's action logger is wrapped instead, and every path it logs
goes through slackclone.log_redaction.redact first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server

from slackclone.log_redaction import redact

ActionLogger = Callable[[str, str, dict[str, Any]], None]


def redacting(action_logger: ActionLogger) -> ActionLogger:
    def log(protocol: str, action: str, details: dict[str, Any]) -> None:
        if isinstance(details.get("path"), str):
            details = {**details, "path": redact(details["path"])}
        action_logger(protocol, action, details)

    return log


class RedactingServer(Server):
    def __init__(self, *args: Any, action_logger: ActionLogger | None = None, **kwargs: Any) -> None:
        super().__init__(*args, action_logger=redacting(action_logger) if action_logger else None, **kwargs)


class CommandLine(CommandLineInterface):
    server_class = RedactingServer


if __name__ == "__main__":
    CommandLine.entrypoint()
