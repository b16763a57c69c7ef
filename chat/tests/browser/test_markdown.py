"""Markdown habits in Chromium: a message with lists and a ```python block is drawn as real lists and coloured
code, by the highlighter served from our own origin under the page's Content-Security-Policy (a blocked
script or style is a console error, which fails the test)."""

from __future__ import annotations

import pytest

from chat.services import message_post
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import channel_path, post

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MESSAGE = (
    "Release plan, **in order**:\n"
    "- freeze ~~Thursday~~ Friday\n"
    "  - tell [the docs team](https://example.com/docs)\n"
    "- tag it\n"
    "3. deploy\n"
    "4. celebrate\n"
    "```python\n"
    "def ship(version: str) -> bool:\n"
    "    # <b>not bold</b>\n"
    '    return version.startswith("v")\n'
    "```"
)


def colour(person, selector: str) -> str:
    return person.page.eval_on_selector(selector, "(node) => getComputedStyle(node).color")


def test_lists_and_a_python_block_render_as_lists_and_highlighted_code(team, people):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    post(alice, MESSAGE)

    text = alice.page.locator(".msg__text").last
    text.locator("code.language-python.hljs .hljs-keyword").first.wait_for()
    assert text.locator(":scope > ul.md-list > li").all_inner_texts()[1] == "tag it"
    assert text.locator("ul.md-list ul.md-list > li > a.md-link").get_attribute("href") == "https://example.com/docs"
    assert text.locator("ol.md-list").get_attribute("start") == "3"
    assert text.locator("ol.md-list > li").all_inner_texts() == ["deploy", "celebrate"]
    assert text.locator("s").inner_text() == "Thursday"
    code = text.locator("pre.md-pre code")
    assert code.inner_text() == MESSAGE.split("```python\n", 1)[1].removesuffix("\n```")
    assert code.locator(".hljs-keyword").all_inner_texts()[:2] == ["def", "return"]
    assert code.locator(".hljs-comment").inner_text() == "# <b>not bold</b>"
    assert code.locator("b").count() == 0
    assert code.locator(".hljs-string").inner_text() == '"v"'

    light = colour(alice, ".msg__text .hljs-keyword")
    alice.page.emulate_media(color_scheme="dark")
    assert colour(alice, ".msg__text .hljs-keyword") != light
    alice.screenshot("markdown-dark")
    alice.page.emulate_media(color_scheme="light")
    alice.screenshot("markdown")


def test_an_unknown_language_stays_a_plain_block(team, people):
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    post(alice, "```klingon\nqapla'\n```")
    code = alice.page.locator(".msg__text pre.md-pre code").last
    code.wait_for()
    assert code.inner_text() == "klingon\nqapla'"
    assert code.locator("span").count() == 0


def test_code_that_is_slow_to_colour_never_stops_the_page_or_the_blocks_after_it(team, people):
    """highlight.js slows down faster than the code grows on some input (20,000 quotes in C#): it runs in a
    worker that is ended after its time limit, so the page stays responsive and the next block is coloured."""
    elsewhere(message_post, sender=team.owner, channel=team.general, text="```cs\n" + '"' * 19_990 + "\n```")
    elsewhere(message_post, sender=team.owner, channel=team.general, text="```py\nimport os\n```")
    (alice,) = people(team.member)
    alice.open(channel_path(team, team.general))
    alice.page.locator(".msg__text code.language-python .hljs-keyword").wait_for(timeout=30_000)
    slow = alice.page.locator(".msg__text code.language-csharp")
    assert slow.inner_text() == '"' * 19_990
    assert alice.page.evaluate("() => document.querySelectorAll('.msg__text pre').length") == 2
