"""A person in Slack's shape: the one builder every surface (socket, Web API, REST API) uses."""

from __future__ import annotations

from typing import Any

from accounts.models import User


def user_to_wire(user: User, *, email: bool = False) -> dict[str, Any]:
    """A person in Slack's shape. `profile.email` only with `email`, which the caller takes from
    workspaces.selectors.people_view (PeopleView.shows_email), or True for the person themselves;
    workspace-wide events carry no address."""
    emoji, text = user.current_status()
    wire: dict[str, Any] = {
        "id": user.public_id,
        "name": user.email.split("@", 1)[0],
        "real_name": user.full_name or user.name,
        "is_bot": user.is_bot,
        "deleted": not user.is_active,
        "tz": user.timezone,
        "profile": {
            "display_name": user.display_name,
            "real_name": user.full_name,
            "title": user.title,
            "status_emoji": emoji,
            "status_text": text,
            "status_expiration": int(user.status_expires_at.timestamp()) if user.status_expires_at else 0,
            "image_72": user.avatar.url if user.avatar else "",
        },
    }
    if email:
        wire["profile"]["email"] = user.email
    return wire
