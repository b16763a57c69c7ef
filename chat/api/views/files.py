"""Files: multipart upload into a channel, metadata, and the content, served only to channel members."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from accounts.api.authentication import token_workspace
from chat import services
from chat.api import serializers as s
from chat.api.context import request_channel
from chat.selectors import file_get, message_get_for_wire
from chat.wire import attachments_of, file_to_wire, message_to_wire
from slackclone.api.schema import errors
from slackclone.api.views import ApiView, validated
from slackclone.errors import DomainError, ErrorCode

TAG = ["files"]
# Room for the multipart framing and the optional message text beside the file itself.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024


class AnyContentRenderer(BaseRenderer):
    """Lets clients that Accept the file's own type through content negotiation; errors stay JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if isinstance(data, dict) else data


class FileUploadView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        operation_id="files_upload",
        summary="Upload a file and share it in a channel, with an optional message",
        description=f"multipart/form-data. At most FILE_UPLOAD_MAX_BYTES (default {25 * 1024 * 1024:,} bytes; "
        "413 above it). The content type is sniffed from the bytes; images get a thumbnail.",
        request={"multipart/form-data": s.FileUploadSerializer},
        responses={201: s.FileOutSerializer, 200: s.FileOutSerializer, **errors(413, 415)},
    )
    def post(self, request, channel_id: str):
        channel = request_channel(request, channel_id)
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > settings.FILE_UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD_BYTES:
            raise DomainError(
                ErrorCode.FILE_TOO_LARGE,
                "Files can be at most %(file_upload_max_bytes)s bytes.",
                fields={"file": "too_large"},
                params={"file_upload_max_bytes": f"{settings.FILE_UPLOAD_MAX_BYTES:,}"},
            )
        data = validated(s.FileUploadSerializer, request.data)
        before = channel.last_seq
        message = services.file_upload(
            actor=request.user,
            channel=channel,
            upload=data["file"],
            text=data["text"],
            thread_ts=data.get("thread_ts"),
            client_msg_id=data.get("client_msg_id"),
        )
        message = message_get_for_wire(channel=message.channel, ts=message.ts)
        attachment = attachments_of(message)[0]
        code = status.HTTP_201_CREATED if message.seq > before else status.HTTP_200_OK
        return Response({"file": file_to_wire(attachment), "message": message_to_wire(message)}, status=code)


class FileDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        operation_id="files_retrieve",
        summary="A file's metadata (members of its channel only)",
        responses={200: s.FileDetailSerializer, **errors()},
    )
    def get(self, request, file_id: str):
        attachment = file_get(actor=request.user, public_id=file_id, workspace=token_workspace(request))
        return Response({"file": file_to_wire(attachment)})


def _serve(stored, *, content_type: str, filename: str, as_attachment: bool) -> FileResponse:
    response = FileResponse(
        stored.open("rb"), content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


BINARY_RESPONSE = {
    (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The bytes."),
}


class FileContentView(ApiView):
    renderer_classes = [JSONRenderer, AnyContentRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="files_content",
        summary="Download a file (members of its channel only)",
        description="Images are shown inline; anything else is sent with Content-Disposition: attachment. "
        "Always with X-Content-Type-Options: nosniff.",
        responses={**BINARY_RESPONSE, **errors()},
    )
    def get(self, request, file_id: str):
        attachment = file_get(actor=request.user, public_id=file_id, workspace=token_workspace(request))
        return _serve(
            attachment.file,
            content_type=attachment.content_type,
            filename=attachment.original_name,
            as_attachment=not attachment.is_image,
        )


class FileThumbnailView(ApiView):
    renderer_classes = [JSONRenderer, AnyContentRenderer]

    @extend_schema(
        tags=TAG,
        operation_id="files_thumbnail",
        summary="An image's thumbnail (PNG, at most 360×360)",
        responses={**BINARY_RESPONSE, **errors()},
    )
    def get(self, request, file_id: str):
        attachment = file_get(actor=request.user, public_id=file_id, workspace=token_workspace(request))
        if not attachment.thumbnail:
            raise DomainError(ErrorCode.FILE_NOT_FOUND, "This file has no thumbnail.")
        return _serve(attachment.thumbnail, content_type="image/png", filename="thumbnail.png", as_attachment=False)
