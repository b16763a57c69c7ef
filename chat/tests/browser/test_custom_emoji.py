"""Custom emoji in real Chromium, two people: one adds an emoji, and the other sees it at once, without
reloading, in a message already on screen, in the picker and as a reaction the first person sees too."""

from __future__ import annotations

import pytest

from chat.models import CustomEmoji
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS
from chat.tests.browser.test_client import both_in_general, confirmed, message, post
from slackclone.testing.images import animated_gif_bytes

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LOADED = "img => img.complete && img.naturalWidth > 0"


def add_emoji_from_the_picker(person, name: str, data: bytes) -> None:
    page = person.page
    page.get_by_role("button", name="Insert emoji").click()
    page.locator("#emoji-picker").get_by_role("button", name="Add emoji").click()
    dialog = page.get_by_role("dialog", name="Add custom emoji")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": f"{name}.gif", "mimeType": "image/gif", "buffer": data}]
    )
    dialog.get_by_role("button", name="Add emoji").click()
    dialog.wait_for(state="detached")


def test_an_emoji_bob_adds_shows_for_alice_live_in_a_message_and_as_a_reaction(team, people):
    alice, bob = both_in_general(team, people)
    post(alice, "Release is out :partyparrot:")
    confirmed(alice, "Release is out")
    assert message(bob, "Release is out").locator("img.emoji--custom").count() == 0  # not an emoji yet

    add_emoji_from_the_picker(bob, "partyparrot", animated_gif_bytes(frames=6, size=(256, 256)))

    # Alice's page never reloads: the message she already sees now draws the image.
    image = message(alice, "Release is out").locator("img.emoji--custom[alt=':partyparrot:']")
    image.wait_for(timeout=PUSH_TIMEOUT_MS)
    alice.page.wait_for_function(LOADED, arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 128
    assert CustomEmoji.objects.get(workspace=team.workspace, name="partyparrot").content_type == "image/gif"

    # She finds it in the picker and reacts with it; Bob sees the reaction with the image.
    row = message(alice, "Release is out")
    row.hover()
    row.get_by_role("button", name="Add reaction").click()
    alice.page.locator("#emoji-picker .picker__search").fill("partyp")
    alice.page.locator("#emoji-picker .picker__item[data-name='partyparrot'] img").click()
    for person in (alice, bob):
        reaction = message(person, "Release is out").locator(".reaction[data-name='partyparrot'] img.emoji--custom")
        reaction.wait_for(timeout=PUSH_TIMEOUT_MS)
        person.page.wait_for_function(LOADED, arg=reaction.element_handle())

    # And the composer suggests it as she types.
    alice.page.fill("#composer textarea", "so good :partyp")
    alice.page.locator("#composer .suggest__item img.emoji--custom").first.wait_for()
    alice.screenshot("custom-emoji")


def test_an_emoji_bob_removes_turns_back_into_text_for_alice_live(team, people):
    alice, bob = both_in_general(team, people)
    add_emoji_from_the_picker(bob, "partyparrot", animated_gif_bytes(frames=2))
    post(alice, "Still here :partyparrot:")
    message(alice, "Still here").locator("img.emoji--custom").wait_for()

    bob.page.get_by_role("button", name="Insert emoji").click()
    bob.page.locator("#emoji-picker").get_by_role("button", name="Add emoji").click()
    dialog = bob.page.get_by_role("dialog", name="Add custom emoji")
    dialog.get_by_role("button", name="Remove :partyparrot:").click()
    dialog.get_by_text("None yet.").wait_for()

    text = message(alice, "Still here").locator(".msg__text")
    alice.page.wait_for_function(
        "node => node.textContent.includes(':partyparrot:') && !node.querySelector('img')",
        arg=text.element_handle(),
        timeout=PUSH_TIMEOUT_MS,
    )
    assert not CustomEmoji.objects.filter(workspace=team.workspace).exists()
