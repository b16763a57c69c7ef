"""A Slack workspace's custom emoji, when its export has them: images first, then aliases.

Each goes through chat.services.emoji as the operator, so an imported emoji keeps every rule (its
name, its image made again at 128 pixels, the pixel and frame bounds). One that breaks a rule, has
no image in the export, or is an alias of nothing is skipped with the reason in the report; an emoji
the workspace already has by that name is left as it is, so running the import again adds nothing.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import CustomEmoji
from chat.services.emoji import check_custom_emoji_name, emoji_add, emoji_alias
from integrations.slack_export.run import ImportRun
from slackclone.errors import DomainError
from slackclone.images import EMOJI_MAX_BYTES

ALIAS_PREFIX = "alias:"


def import_emoji(run: ImportRun) -> None:
    index = run.archive.emoji_index()
    if not index:
        return
    existing = set(CustomEmoji.objects.filter(workspace=run.workspace).values_list("name", flat=True))
    images = sorted((name, value) for name, value in index.items() if not value.startswith(ALIAS_PREFIX))
    aliases = sorted(
        (name, value.removeprefix(ALIAS_PREFIX)) for name, value in index.items() if value.startswith(ALIAS_PREFIX)
    )
    for name, value in images:
        if name in existing:
            run.report.existing["emoji"] += 1
        else:
            _import_image(run, name, value)
    for name, target in aliases:
        if name in existing:
            run.report.existing["emoji"] += 1
            continue
        try:
            emoji_alias(actor=None, workspace=run.workspace, name=name, alias_for=target)
        except DomainError as error:
            run.report.skip("emoji", error.code.value, f":{name}:")
            continue
        run.report.created["emoji"] += 1


def _import_image(run: ImportRun, name: str, value: str) -> None:
    try:
        name = check_custom_emoji_name(name)  # before its name is used to find its file
        data = run.archive.emoji_image(name, value, limit=EMOJI_MAX_BYTES)
        if data is None:
            run.report.skip("emoji", "no image in the export", f":{name}:")
            return
        emoji_add(actor=None, workspace=run.workspace, name=name, image=SimpleUploadedFile(name, data))
    except DomainError as error:
        run.report.skip("emoji", error.code.value, f":{name}:")
        return
    run.report.created["emoji"] += 1
