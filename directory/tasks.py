"""Celery: the periodic sync of every enabled, trusted directory (beat's "sync-ldap"). A thin adapter."""

from __future__ import annotations

import logging

from celery import shared_task

from directory.identities import directory_sync
from directory.ldap import DirectoryUnavailable
from directory.models import Directory

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def sync_directories() -> None:
    """One directory down (logged) does not stop the others."""
    for directory in Directory.objects.filter(enabled=True, trusted=True).select_related("workspace"):
        try:
            result = directory_sync(directory=directory)
        except DirectoryUnavailable as failure:
            logger.warning("LDAP sync of %s failed: %s", directory.workspace.slug, failure)
            continue
        logger.info("LDAP sync of %s: %d deactivated", directory.workspace.slug, len(result.deactivated))
