"""files.upload (Slack's one-call upload, over chat.services.file_upload, the REST API's too) and the
three-step upload slack_sdk's files_upload_v2 makes: files.getUploadURLExternal, the bytes sent to that URL
(slack_api.views.external_upload), files.completeUploadExternal (chat.services.external_uploads)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chat import selectors
from chat.services.external_uploads import external_upload_complete, external_upload_start
from chat.services.files import file_upload_to_channels
from chat.wire import attachments_of, file_to_wire
from slack_api.core import Context, SlackError, method
from slack_api.lookups import channel_by_reference
from slackclone import jsonlimits


def _upload_arg(ctx: Context):
    """The file: a multipart `file`, or `content` sent as text; `filename` names either."""
    upload = ctx.request.FILES.get("file")
    filename = ctx.args.str("filename")
    if upload is None:
        content = ctx.args.str("content")
        if not content:
            raise SlackError("no_file_data")
        return SimpleUploadedFile(filename or "content.txt", content.encode("utf-8"))
    if filename:
        upload.name = filename
    return upload


@method("files.upload", write=True, scopes=("files:write",))
def upload(ctx: Context) -> dict:
    """Store a file and share it, with `initial_comment` as the message, in each of `channels`
    (comma-separated ids or names; `channel` is taken too), or in the thread `thread_ts`.

    A file here always belongs to a conversation (only its members may fetch it), so at least one
    channel is required (invalid_channel); shared in several, each gets its own copy.
    """
    references = ctx.args.list("channels") or ([ctx.args.str("channel")] if ctx.args.str("channel") else [])
    if not references:
        raise SlackError("invalid_channel")
    channels = [channel_by_reference(ctx, reference) for reference in references]
    messages = file_upload_to_channels(
        actor=ctx.user,
        channels=channels,
        upload=_upload_arg(ctx),
        text=ctx.args.str("initial_comment"),
        thread_ts=ctx.args.str("thread_ts") or None,
    )
    wire: dict[str, Any] = dict(file_to_wire(_files_of(messages[0])[0]))
    wire["channels"] = [message.channel.public_id for message in messages]
    return {"file": wire}


def _files_of(message) -> list:
    """The files of a message just posted, read as every surface reads them."""
    return attachments_of(selectors.message_get_for_wire(channel=message.channel, ts=message.ts))


@method("files.getUploadURLExternal", write=True, scopes=("files:write",))
def get_upload_url_external(ctx: Context) -> dict:
    """A one-time URL to send one file's bytes to (good for an hour), and the id the file will have."""
    length = ctx.args.int("length")
    if length is None:
        raise SlackError("invalid_arguments")
    upload, secret = external_upload_start(
        actor=ctx.user, workspace=ctx.workspace, filename=ctx.args.str("filename"), length=length
    )
    url = ctx.request.build_absolute_uri(reverse("slack_api:external-upload", args=[secret]))
    return {"upload_url": url, "file_id": upload.file_public_id}


def _file_ids(ctx: Context) -> list[str]:
    """`files`: a JSON array of {"id", "title"?} (a string, as forms carry it, or already a list)."""
    raw = ctx.args.data.get("files")
    try:
        items = jsonlimits.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise SlackError("invalid_arguments") from None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in items
    ):
        raise SlackError("invalid_arguments")
    return [item["id"] for item in items]


@method("files.completeUploadExternal", write=True, scopes=("files:write",))
def complete_upload_external(ctx: Context) -> dict:
    """Share the uploaded files in one message of `channel_id` (or `channels`, one of them), in the thread
    `thread_ts` if given, with `initial_comment`. A file here always belongs to a conversation, so a
    channel is required (invalid_channel)."""
    references = ctx.args.list("channels") or ([ctx.args.str("channel_id")] if ctx.args.str("channel_id") else [])
    if len(references) != 1:
        raise SlackError("invalid_channel")
    channel = channel_by_reference(ctx, references[0])
    message = external_upload_complete(
        actor=ctx.user,
        workspace=ctx.workspace,
        file_ids=_file_ids(ctx),
        channel=channel,
        text=ctx.args.str("initial_comment"),
        thread_ts=ctx.args.str("thread_ts") or None,
    )
    return {
        "files": [{**file_to_wire(attachment), "channels": [channel.public_id]} for attachment in _files_of(message)]
    }
