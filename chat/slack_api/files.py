"""files.upload: Slack's one-call upload, over chat.services.file_upload (the REST API's upload too)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import Attachment
from chat.permissions import access_channel_member, check_not_archived
from chat.services import file_upload
from chat.slack_api.core import Context, SlackError, method
from chat.slack_api.lookups import channel_by_reference
from chat.wire import file_to_wire


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


@method("files.upload", write=True)
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
    for channel in channels:  # refuse before storing anything, rather than share in some and fail in one
        access_channel_member(ctx.user, channel)
        check_not_archived(channel)
    upload = _upload_arg(ctx)
    shared = []
    for channel in channels:
        upload.seek(0)
        message = file_upload(
            actor=ctx.user,
            channel=channel,
            upload=upload,
            text=ctx.args.str("initial_comment"),
            thread_ts=ctx.args.str("thread_ts") or None,
        )
        shared.append(Attachment.objects.select_related("channel").get(message=message))
    wire = file_to_wire(shared[0])
    wire["channels"] = [attachment.channel.public_id for attachment in shared]
    return {"file": wire}
