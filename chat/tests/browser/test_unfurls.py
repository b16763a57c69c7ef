"""Link previews in the real client: a preview added after posting shows live for every member, its image
loaded from our origin; the author's "x" removes it for everyone; nobody else gets the "x"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chat.services import message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import channel_path
from chat.unfurls.models import PreviewImage
from chat.unfurls.services import message_set_unfurls
from slackclone.testing.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_preview_shows_live_with_our_image_and_its_author_removes_it(team, people, server):
    url = "https://news.example/story"
    message = elsewhere(message_post, sender=team.member, channel=team.general, text=f"read {url}")
    alice, bob = people(team.member, team.other_member)
    for person in (alice, bob):
        person.open(channel_path(team, team.general))
        person.page.locator("#message-list .msg", has_text="read").wait_for()
    data = image_bytes((60, 40))
    image = PreviewImage.objects.create(content_type="image/png", data=data, size=len(data), digest="d" * 64)
    image_url = server.url + reverse("api:link-preview-image", args=[image.key])
    preview = {
        "from_url": url, "original_url": url, "service_name": "News", "title": "<b>Big story</b>",
        "title_link": url, "text": "It happened.", "image_url": image_url, "fallback": "News: Big story",
    }  # fmt: skip
    elsewhere(message_set_unfurls, message=message, unfurls={url: preview})
    for person in (alice, bob):
        card = person.page.locator("#message-list .unfurl")
        card.wait_for(timeout=PUSH_TIMEOUT_MS * 3)
        assert card.locator(".unfurl__title").inner_text() == "<b>Big story</b>"
        assert card.locator(".unfurl__site").inner_text() == "News"
        person.page.wait_for_function(
            "() => { const i = document.querySelector('.unfurl__image');"
            " return Boolean(i && i.complete && i.naturalWidth > 0); }"
        )
    assert bob.page.locator("#message-list .unfurl__remove").count() == 0
    alice.screenshot("link-preview")
    alice.page.locator("#message-list .unfurl__remove").click()
    for person in (alice, bob):
        person.page.locator("#message-list .unfurl").wait_for(state="detached", timeout=PUSH_TIMEOUT_MS * 3)
    message.refresh_from_db()
    assert message.legacy_attachments == []
