"""Message text as emails and notification previews show it: the web client's rendering, as plain text and
as escaped HTML, in linear time."""

from __future__ import annotations

import random
import re
import string
import time
from pathlib import Path

import pytest
from django.conf import settings

from chat.markup import HIDDEN_CHANNEL, to_html, to_plain_text
from chat.markup.blocks import FENCE_LANGUAGES

NAMES = {"U1": "ada", "C1": "general", "S1": "design"}


def plain(text: str, **kwargs) -> str:
    return to_plain_text(text, NAMES, **kwargs)


class TestPlainText:
    def test_markers_are_dropped_from_both_dialects(self):
        assert plain("*a* _b_ ~c~ `d` **e** ~~f~~") == "a b c d e f"

    def test_markers_inside_words_and_arithmetic_stay(self):
        assert plain("snake_case_name a*b*, 2 * 3 * 4") == "snake_case_name a*b*, 2 * 3 * 4"

    def test_a_labelled_link_shows_its_address_and_a_bare_one_shows_once(self):
        assert plain("[docs](https://e.com/a_b) <https://e.com/c|c> https://e.com/d.") == (
            "docs (https://e.com/a_b) c (https://e.com/c) https://e.com/d."
        )
        assert plain("<mailto:ada@e.com> <https://e.com/?a=1&amp;b=2>") == "ada@e.com https://e.com/?a=1&b=2"

    def test_only_http_and_mailto_become_links(self):
        text = "[x](javascript:alert(1)) <javascript:alert(1)|y>"
        assert plain(text) == text

    def test_references_resolve_to_what_the_reader_may_see(self):
        text = "<@U1> <@U9|bob> <#C1> <#C9|secret> <!here> <!subteam^S1|@old> <!subteam^S9|@sales>"
        assert plain(text) == f"@ada @bob #general {HIDDEN_CHANNEL} @here @design @sales"

    def test_lists_are_lines_with_bullets_and_numbers_nested_by_indentation(self):
        text = "todo:\n- one\n* two\n  3) three\n  4. four\n• five\n10. ten"
        assert plain(text) == "todo:\n• one\n• two\n  3. three\n  4. four\n• five\n10. ten"

    def test_quotes_keep_their_marker_and_code_is_as_typed(self):
        text = "> *said*\n&gt; more\n```python\ndef f():\n    return '&lt;b&gt;'\n```\nafter"
        assert plain(text) == "> said\n> more\ndef f():\n    return '<b>'\nafter"

    def test_an_unknown_fence_word_stays_code_and_an_unclosed_fence_stays_text(self):
        assert plain("```klingon\nx\n```") == "klingon\nx"
        assert plain("```not code") == "```not code"

    def test_long_lines_wrap_under_their_marker_but_code_never_wraps(self):
        words = " ".join(["word"] * 20)
        lines = plain(f"- {words}\n```\n{words}\n```", width=30).split("\n")
        assert all(len(line) <= 30 for line in lines[:-1])
        assert lines[0].startswith("• word")
        assert lines[1].startswith("  word")
        assert lines[-1] == words


class TestHtml:
    def test_text_is_escaped_and_never_markup(self):
        html = to_html('<script>alert(1)</script> &lt;img src=x onerror="a"&gt; **<b>**', NAMES)
        assert not re.search(r"<(script|img|b>)", html)
        assert "&lt;img src=x onerror=&quot;a&quot;&gt;" in html

    def test_formatting_links_lists_and_code(self):
        text = "**big** _it_ ~~old~~ [d](https://e.com/?a=1&amp;b=\"2\")\n3. x\n4. y\n```py\nx = '<'\n```"
        html = to_html(text, NAMES)
        assert "<strong>big</strong> <em>it</em> <s>old</s>" in html
        assert '<a href="https://e.com/?a=1&amp;b=&quot;2&quot;" style="color:#1264a3;">d</a>' in html
        assert re.search(r'<ol start="3" style="[^"]*"><li>x</li><li>y</li></ol>', html)
        assert re.search(r"<pre style=\"[^\"]*\">x = &#x27;&lt;&#x27;</pre>", html)

    def test_a_nested_list_sits_in_its_item(self):
        html = to_html("- a\n  - b\n- c", NAMES)
        assert re.sub(r' style="[^"]*"', "", html) == "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>"

    def test_lines_of_a_paragraph_are_broken_and_a_quote_is_a_blockquote(self):
        html = re.sub(r' style="[^"]*"', "", to_html("one\ntwo\n> q", NAMES))
        assert html == "<p>one<br>two</p><blockquote>q</blockquote>"


def test_the_fence_languages_are_the_clients():
    source = (Path(settings.BASE_DIR) / "static/js/client/highlight-languages.js").read_text(encoding="utf-8")
    table = source.split("const LANGUAGES = {", 1)[1].split("\n};", 1)[0]
    names = set(re.findall(r"^\s+(\w+):", table, re.M)) | set(re.findall(r'"([^"]+)"', table))
    plain_names = re.search(r"const PLAIN = \[([^\]]*)\]", source).group(1)
    names |= set(re.findall(r'"([^"]+)"', plain_names))
    assert names == set(FENCE_LANGUAGES)


# --- Linear time: the client's adversarial messages (chat/tests/browser/test_client_regex_linear.py) ------

LENGTH = settings.MESSAGE_MAX_CHARS
BUDGET_MS = 400.0
PIECES = [
    "<@UAA|", "<!here|", "<#CAA|", "<https://a|", "&lt;", "*a ", "_a ", "~a ", "*a", " *a", "`a", "```", "```py\n",
    ":a", "http://a.", "https://a/", "> ", "- ", "1. ", "  - ", "- a\n  ", "**a ", "**a", "~~a ", "[a](",
    "[a](https://a", "[a](https://a)", "[[a]", "*_~a", "- *a\n", "\n",
]  # fmt: skip
FLOOD = " \t\naA0<>|@!#:/.,;-_*~`\"'\\[](){}&"


def adversarial_inputs() -> dict[str, str]:
    def repeat(piece: str) -> str:
        return (piece * (LENGTH // len(piece) + 1))[:LENGTH]

    inputs = {f"repeated {piece!r}": repeat(piece) for piece in PIECES}
    inputs.update({f"flood of {char!r}": char * LENGTH for char in FLOOD})
    for pair in ("<>", "[]", "()", "**", "__", "~~", "``"):
        inputs[f"nested {pair}"] = pair[0] * (LENGTH // 2) + pair[1] * (LENGTH - LENGTH // 2)
    inputs["deepening list"] = "".join(f"{' ' * (2 * i)}- a\n" for i in range(190))[:LENGTH]
    rng = random.Random(14)
    inputs["random markup"] = "".join(rng.choices("<>|@!#:*_~`[]()-1. \naU", k=LENGTH))
    inputs["random printable"] = "".join(rng.choices(string.printable, k=LENGTH))
    return inputs


def cpu_ms(render, text: str) -> float:
    """The least CPU time of two runs: the machine's other work only ever adds time."""
    best = float("inf")
    for _ in range(2):
        started = time.thread_time()
        render(text, NAMES)
        best = min(best, (time.thread_time() - started) * 1000)
    return best


def _full_and_quarter_ms(render, text: str, *, tries: int = 3) -> tuple[float, float]:
    """CPU ms for the whole text and for its first quarter, each the least of its runs. A ratio above 8 is
    measured again, up to `tries` times: a busy machine can slow one run down, where a quadratic step stays
    near 16 every time."""
    full, quarter = cpu_ms(render, text), float("inf")
    for _ in range(tries):
        if full <= 20:
            return full, 0.0
        quarter = min(quarter, cpu_ms(render, text[: LENGTH // 4]))
        if full <= 8 * quarter:
            return full, quarter
        full = min(full, cpu_ms(render, text))
    return full, quarter


@pytest.mark.parametrize("render", [to_plain_text, to_html], ids=["plain", "html"])
def test_rendering_is_linear_on_adversarial_messages(render):
    """A quarter of the text takes about a quarter of the time (a quadratic step would take a sixteenth);
    the budget only catches a render too slow for an email of 25 messages."""
    slow = {}
    for label, text in adversarial_inputs().items():
        full, quarter = _full_and_quarter_ms(render, text)
        if full > BUDGET_MS or (full > 20 and full > 8 * quarter):
            slow[label] = (round(full), round(quarter))
    assert not slow, f"slow or superlinear (ms for the whole text, and for a quarter of it): {slow}"
