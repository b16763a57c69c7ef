"""Running operator commands in tests: their output, and their refusals (which must write nothing)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from slackclone.errors import ErrorCode
from slackclone.testing.assertions import nothing_written


def run(name: str, *args: str) -> list[str]:
    """The command's standard output, line by line."""
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO(), verbosity=0)
    return out.getvalue().splitlines()


def refused(name: str, *args: str, code: ErrorCode | str) -> str:
    """The command must fail with a CommandError carrying `code`, and leave the database as it was."""
    with nothing_written(), pytest.raises(CommandError) as info:
        run(name, *args)
    message = str(info.value)
    assert message.endswith(f"[{ErrorCode(code).value}]"), message
    assert len(message) > len(code) + 10, f"the error should say what is wrong: {message!r}"
    return message
