"""The server's previews of links: what a URL's page said (LinkPreview, one per URL for every workspace, kept
previews.CACHE_FOR and a failure previews.FAILURE_CACHE_FOR), and its image, stored and served from this
site (PreviewImage), so the linked site never learns who reads the message."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone


def url_key(url: str) -> str:
    """The SHA-256 of a URL: what the cache is keyed by (a URL may be longer than an index takes)."""
    return hashlib.sha256(url.encode()).hexdigest()


def new_image_key() -> str:
    return secrets.token_urlsafe(24)


class PreviewImage(models.Model):
    """An og:image as fetched: at most previews.IMAGE_MAX_BYTES of one of previews.IMAGE_TYPES. Kept as long
    as messages may show it (their attachments name its key); the same bytes fetched again are the same row."""

    key = models.CharField(max_length=40, unique=True, default=new_image_key, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of the bytes.")
    content_type = models.CharField(max_length=40)
    data = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key} ({self.content_type}, {self.size} bytes)"


class LinkPreview(models.Model):
    """What one URL's page said when it was last fetched (or that it could not be previewed, and why)."""

    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    url = models.TextField()
    ok = models.BooleanField(default=False)
    failure = models.CharField(max_length=40, blank=True, help_text="Why there is no preview (a stable reason).")
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    site_name = models.CharField(max_length=200, blank=True)
    image = models.ForeignKey(PreviewImage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fetched_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.url[:80]} ({'ok' if self.ok else self.failure})"
