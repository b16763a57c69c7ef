"""The server's own previews of links: fetched after the message commits (the outbox job chat.preview_links), through
slackclone.outgoing, so a link to a private, loopback or metadata address is never fetched.

A page is fetched with a GET (PAGE_TIMEOUT seconds, PAGE_MAX_BYTES), following at most MAX_REDIRECTS
redirects, each new address checked again by outgoing (which follows none itself); only HTML is read
(chat.unfurls.html_meta). Its og:image is fetched the same way (IMAGE_MAX_BYTES, IMAGE_TYPES whose bytes
look like what they claim) and stored (PreviewImage), then served from this site
(chat.api.views.unfurls), so no third party sees who reads the message. What a URL gave is kept for
CACHE_FOR (a failure for FAILURE_CACHE_FOR, so a dead link is not hammered), for every workspace.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chat.models import Message
from chat.unfurls.html_meta import MAX_HTML_BYTES, PageMeta, parse_page
from chat.unfurls.links import link_host, message_links
from chat.unfurls.models import LinkPreview, PreviewImage, url_key
from chat.unfurls.services import message_set_unfurls, unfurl_url
from slackclone import outgoing

logger = logging.getLogger(__name__)

PREVIEW_LINKS = 3  # the first this many links nobody else unfurls
LINKS_SCANNED = 20
PAGE_TIMEOUT = 5.0
PAGE_MAX_BYTES = MAX_HTML_BYTES
IMAGE_MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
CACHE_FOR = timedelta(hours=24)
FAILURE_CACHE_FOR = timedelta(hours=1)
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
# The image types a browser shows that carry no script (SVG may), each with how its bytes begin.
IMAGE_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


class PreviewFailed(Exception):
    """No preview: `reason` is stored with the failure (an outgoing reason, or one of this module's)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _content_type(response: outgoing.OutgoingResponse) -> tuple[str, str]:
    """The response's media type (lower case) and charset."""
    media, _, params = response.headers.get("content-type", "").partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset":
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def fetch(url: str, *, accept: str, max_bytes: int) -> tuple[outgoing.OutgoingResponse, str]:
    """GET `url`, following up to MAX_REDIRECTS redirects (each checked by outgoing): the 200 answer and
    the URL that gave it. Raises PreviewFailed."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = outgoing.get(url, headers={"Accept": accept}, timeout=PAGE_TIMEOUT, max_response_bytes=max_bytes)
        except outgoing.OutgoingError as error:
            raise PreviewFailed(error.reason) from None
        if response.status in REDIRECTS:
            location = response.headers.get("location", "")
            if not location:
                raise PreviewFailed("bad_redirect")
            url = urljoin(url, location)
            continue
        if response.status != 200:
            raise PreviewFailed("http_error")
        return response, url
    raise PreviewFailed("too_many_redirects")


def _fetch_image(page_url: str, image: str) -> PreviewImage | None:
    """The page's image, fetched and stored, or None (no image, or one that cannot be shown)."""
    url = urljoin(page_url, image)
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        response, _ = fetch(url, accept=", ".join(IMAGE_TYPES), max_bytes=IMAGE_MAX_BYTES)
    except PreviewFailed as failure:
        logger.info("link preview image refused (%s)", failure.reason)
        return None
    media, _ = _content_type(response)
    if media not in IMAGE_TYPES or not response.body.startswith(IMAGE_TYPES[media]):
        return None
    digest = hashlib.sha256(response.body).hexdigest()
    try:
        with transaction.atomic():
            stored, _ = PreviewImage.objects.get_or_create(
                digest=digest, defaults={"content_type": media, "data": response.body, "size": len(response.body)}
            )
    except IntegrityError:  # another task stored the same bytes meanwhile
        stored = PreviewImage.objects.get(digest=digest)
    return stored


def _fetch_page(url: str) -> tuple[PageMeta, str]:
    response, final_url = fetch(url, accept="text/html, application/xhtml+xml", max_bytes=PAGE_MAX_BYTES)
    media, charset = _content_type(response)
    if media not in HTML_TYPES:
        raise PreviewFailed("not_html")
    meta = parse_page(response.body, charset=charset or "utf-8")
    if not (meta.title or meta.description):
        raise PreviewFailed("nothing_to_show")
    return meta, final_url


def _is_fresh(preview: LinkPreview, now: datetime) -> bool:
    return now - preview.fetched_at < (CACHE_FOR if preview.ok else FAILURE_CACHE_FOR)


def link_preview(url: str, *, now: datetime | None = None) -> LinkPreview:
    """What `url` shows: the cached preview while fresh, else fetched now and cached (a failure too).

    Callers: the preview task, outside any transaction (the fetches take seconds)."""
    now = now or timezone.now()
    key = url_key(url)
    cached = LinkPreview.objects.select_related("image").filter(url_hash=key).first()
    if cached is not None and _is_fresh(cached, now):
        return cached
    fields: dict[str, object] = {"url": url, "fetched_at": now, "ok": False, "failure": "", "image": None}
    try:
        meta, final_url = _fetch_page(url)
    except PreviewFailed as failure:
        fields["failure"] = failure.reason
    else:
        image = _fetch_image(final_url, meta.image) if meta.image else None
        fields.update(ok=True, title=meta.title, description=meta.description, site_name=meta.site_name, image=image)
    try:
        with transaction.atomic():
            preview, _ = LinkPreview.objects.update_or_create(url_hash=key, defaults=fields)
    except IntegrityError:  # another task cached it meanwhile
        preview = LinkPreview.objects.select_related("image").get(url_hash=key)
    return preview


def preview_attachment(url: str, preview: LinkPreview, *, media: bool) -> dict[str, object] | None:
    """Slack's shape of a link's unfurl, with the image served from this site (None: nothing to show)."""
    if not preview.ok:
        return None
    site = preview.site_name or link_host(url)
    attachment: dict[str, object] = {
        "from_url": url,
        "original_url": url,
        "service_name": site,
        "title": preview.title,
        "title_link": url,
        "text": preview.description,
        "fallback": f"{site}: {preview.title or preview.description}"[:300],
    }
    if media and preview.image is not None:
        attachment["image_url"] = settings.SITE_URL + reverse("api:link-preview-image", args=[preview.image.key])
    return attachment


def attachment_is_preview(attachment: object) -> bool:
    """Whether an attachment is one of the server's previews (not an app's unfurl, nor the sender's)."""
    return unfurl_url(attachment) is not None and not (isinstance(attachment, dict) and attachment.get("is_app_unfurl"))


def preview_message(
    message_id: int, *, media: bool = True, urls: list[str] | None = None, now: datetime | None = None
) -> Message | None:
    """Add the server's previews of a message's first links (those no app unfurls) to it, PREVIEW_LINKS
    unfurls at most in all; with `urls` (the links an edit added), only those that are still in its text.

    Callers: chat.jobs.preview_links, an outbox job written with the message (chat.unfurls.receivers).
    Events: message_changed, when there is something to show.
    """
    from chat.signals import links_claimed

    message = Message.objects.select_related("channel__workspace", "author").filter(pk=message_id).first()
    if message is None or message.is_deleted or not message.channel.workspace.link_previews:
        return None
    links = message_links(message.text, limit=LINKS_SCANNED)
    claimed: set[str] = set()
    for _receiver, answer in links_claimed.send(sender=Message, workspace=message.channel.workspace, urls=links):
        claimed.update(answer or ())
    shown = {url for attachment in message.legacy_attachments if (url := unfurl_url(attachment))}
    wanted = [url for url in links if url not in claimed and url not in shown and (urls is None or url in urls)]
    previewed = sum(1 for attachment in message.legacy_attachments if attachment_is_preview(attachment))
    wanted = wanted[: max(PREVIEW_LINKS - previewed, 0)]
    unfurls: dict[str, dict[str, object]] = {}
    for url in wanted:
        attachment = preview_attachment(url, link_preview(url, now=now), media=media)
        if attachment is not None:
            unfurls[url] = attachment
    return message_set_unfurls(message=message, unfurls=unfurls) if unfurls else None
