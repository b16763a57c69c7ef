"""The web client's text handling stays linear in the length of a message, in real Chromium.

Every function of static/js/client/ that runs regular expressions over message text (the mrkdwn renderer, the
mention check on each incoming message, the composer's mention encoding and decoding, search snippets, emoji
shortcodes) gets the adversarial inputs the server's patterns get (slackclone/tests/test_regex_linear.py):
MESSAGE_MAX_CHARS characters of repeated markup prefixes, floods of delimiters, nested brackets, the known
attack strings and random text. A call over BUDGET_MS fails: a quadratic pattern freezes every open client
when such a message arrives. The renderer and the search snippet also build a DOM node per piece of markup
(10,000 emoji are 10,000 spans), which is linear but not free: they may take longer than BUDGET_MS only if a
quarter of the text takes more than an eighth of the time (linear work takes a quarter, a quadratic pattern a
sixteenth).

The modules are loaded as the page loads them (ES modules, no build step), from a stand-in origin that serves
static/js/ from disk, so no server is needed.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser]

STATIC = Path(settings.BASE_DIR) / "static"
ORIGIN = "http://client.test"
LENGTH = settings.MESSAGE_MAX_CHARS
BUDGET_MS = 50.0
PIECES = [
    "<@UAA|", "<!here|", "<#CAA|", "<http:", "<https://a|", "<mailto:a", "<@U", "<!", "<a", "&lt;", "&amp;",
    "*a ", "_a ", "~a ", "*a", " *a", "`a", "```", ":a", ":+1", "http://a.", "https://a/", "> ", "- ", "1. ",
    "@a ", "(@", "\ue000a", "\ue000a\ue001", "<!subteam^SAA|",
    "**a ", "**a", "~~a ", "[a](", "[a](https://a", "[a](https://a)", "[[a]",
]  # fmt: skip
FLOOD_CHARACTERS = " \t\naA0é<>|@!#:/.,;-_*~`\"'\\[]{}()&%=?+"
BRACKETS = ("<>", "[]", "{}", "()", "**", "__", "~~", "``", "::")


def adversarial_inputs() -> dict[str, str]:
    def repeat(piece: str) -> str:
        return (piece * (LENGTH // len(piece) + 1))[:LENGTH]

    inputs = {f"repeated {piece!r}": repeat(piece) for piece in PIECES}
    inputs.update({f"flood of {char!r}": char * LENGTH for char in FLOOD_CHARACTERS})
    for pair in BRACKETS:
        inputs[f"nested {pair}"] = pair[0] * (LENGTH // 2) + pair[1] * (LENGTH - LENGTH // 2)
        inputs[f"repeated {pair}"] = repeat(pair)
    rng = random.Random(14)
    inputs["random printable text"] = "".join(rng.choices(string.printable, k=LENGTH))
    inputs["random markup characters"] = "".join(rng.choices("<>|@!#:*_~`aU ", k=LENGTH))
    return inputs


# Each runs one client function over `text`; the page's modules are in `m`.
CALLS = {
    "markdown.renderMarkdown": "m.markdown.renderMarkdown(text, ctx)",
    "store.Store.mentionsMe": "m.store.Store.prototype.mentionsMe.call({me: {id: 'UME'}}, {text})",
    "composer.encodeMentions": "m.composer.encodeMentions(text, people)",
    "composer.decodeMentions": "m.composer.decodeMentions(text, people)",
    "search.highlighted": "m.search.highlighted(text, app)",
    "emoji.shortcodesToText": "m.emoji.shortcodesToText(text)",
}

MEASURE = """async ({inputs, calls, budget}) => {
  const m = {
    markdown: await import("/js/client/markdown.js"),
    store: await import("/js/client/store.js"),
    composer: await import("/js/client/composer.js"),
    search: await import("/js/client/search.js"),
    emoji: await import("/js/client/emoji.js"),
  };
  const ctx = {meId: "UME", userName: (id, label) => label || id, channelName: (id, label) => label || id,
               channelHref: (id) => "#" + id, usergroupHandle: (id, label) => label || id,
               inUsergroup: (id) => id === "SAA"};
  const people = {users: new Map([["UAA", {id: "UAA", name: "ann"}]]), user: (id) => ({id, name: "ann"}),
                  usergroups: new Map([["SAA", {id: "SAA", handle: "design", users: ["UAA"]}]])};
  const app = {markdownContext: ctx};
  const runners = Object.fromEntries(Object.entries(calls).map(
    ([name, body]) => [name, new Function("m", "text", "ctx", "people", "app", "return " + body)]));
  const measure = (run, text) => {
    let best = Infinity;
    for (let attempt = 0; attempt < 5 && best > budget; attempt++) {
      const started = performance.now();
      run(m, text, ctx, people, app);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  const times = {};
  for (const [name, run] of Object.entries(runners)) {
    for (const [label, text] of Object.entries(inputs)) {
      const full = measure(run, text);
      const quarter = full > budget ? measure(run, text.slice(0, text.length / 4)) : 0;
      times[name + " on " + label] = [full, quarter];
    }
  }
  return times;
}"""


@pytest.fixture
def page(chromium):
    """A page on a stand-in origin whose /js/ is static/js/ on disk."""
    context = chromium.new_context()

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/js/"):
            route.fulfill(path=str(STATIC / path.lstrip("/")), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>regex</title><body></body>", content_type="text/html")

    context.route(f"{ORIGIN}/**", serve)
    page = context.new_page()
    page.goto(f"{ORIGIN}/")
    yield page
    context.close()


DOM_BUILDERS = ("markdown.renderMarkdown", "search.highlighted")


def _too_slow(label: str, full: float, quarter: float) -> bool:
    if full <= BUDGET_MS:
        return False
    return not label.startswith(DOM_BUILDERS) or full > 8 * quarter


def test_every_client_function_on_message_text_is_linear_on_adversarial_messages(page):
    inputs = adversarial_inputs()
    times = page.evaluate(MEASURE, {"inputs": inputs, "calls": CALLS, "budget": BUDGET_MS})
    assert len(times) == len(CALLS) * len(inputs)
    slow = {label: [round(ms) for ms in pair] for label, pair in times.items() if _too_slow(label, *pair)}
    assert not slow, f"over {BUDGET_MS:.0f} ms (ms for the whole text, and for a quarter of it): {slow}"
