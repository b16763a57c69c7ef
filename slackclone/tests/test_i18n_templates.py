"""Every word a template shows goes through the catalog: a test that names any text left unmarked.

Each template is lexed as Django does; the text outside {% translate %}, {% blocktranslate %} and
{% comment %} is read as HTML, and any word in a text node or in an attribute people see or hear
(placeholder, title, aria-label, alt, data-label, a button's value, the page description) fails the test
with the file, the line and the words. Variables and tags are not text: what they print is marked where it
is made (forms, views, models).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
# Not Django templates: the cluster's configuration files, rendered by its own script.
NOT_DJANGO_TEMPLATES = {ROOT / "cluster" / "templates"}

SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-label", "aria-description"}
# Words that are the same in every language, each with the reason.
ALLOWED = {
    "Slackclone": "the product's name",
    "Ctrl K": "a key chord, printed on the keyboard",
    "Socket Mode": "Slack's name of the feature, which Slack does not translate",
}
# Text that is not words people read: a curl example, an API path.
ALLOWED_INSIDE = {"code", "kbd", "script", "style"}


def template_files() -> list[Path]:
    files = []
    for directory in TEMPLATE_DIRS:
        if directory in NOT_DJANGO_TEMPLATES:
            continue
        files.extend(path for path in directory.rglob("*") if path.suffix in (".html", ".txt"))
    return sorted(files)


def has_words(text: str) -> bool:
    """Letters after the allowed words are removed: a number, a symbol or an emoji alone is no text,
    and neither is an example address (`https://…/slack/events`)."""
    if text.strip().startswith(("https://", "http://")):
        return False
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return any(char.isalpha() for char in text)


class ShownText(HTMLParser):
    """Collects the words of a template's text: its text nodes and its shown attributes, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside: list[str] = []
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            # A <button>'s value is sent, not shown; an <input type="submit">'s value is its label.
            shown = name in SHOWN_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in ("submit", "button", "reset")
            )
            shown = shown or (name == "content" and tag == "meta" and values.get("name") == "description")
            if shown and value and has_words(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.inside:
            del self.inside[len(self.inside) - 1 - self.inside[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if not ALLOWED_INSIDE.intersection(self.inside) and has_words(data):
            line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((line, " ".join(data.split())))


def without_marked_text(source: str) -> str:
    """The template's HTML with every tag and variable replaced by an ellipsis (it prints no words of its own)
    and the text inside translation blocks, comments and `*_class` blocks (attribute values) dropped;
    the lines stay where they were."""
    parts: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if closing is None and name in ("blocktranslate", "blocktrans", "comment"):
                closing = {"comment": "endcomment"}.get(name, "end" + name)
            elif closing is None and name == "block" and token.contents.endswith("_class"):
                closing = "endblock"  # a class attribute's value, filled in by a child template
            elif name == closing:
                closing = None
            parts.append("…")
        elif token.token_type != TokenType.TEXT:
            parts.append("…")
        elif closing is not None:
            parts.append("\n" * token.contents.count("\n"))
        else:
            parts.append(token.contents)
    return "".join(parts)


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every word outside the translation tags, in a template's source."""
    parser = ShownText()
    parser.feed(without_marked_text(source))
    parser.close()
    return parser.found


def test_the_template_directories_are_found():
    files = template_files()
    assert ROOT / "templates" / "base.html" in files
    assert any("notifications/templates" in str(path) for path in files)


def test_every_word_in_the_templates_is_marked_for_translation():
    failures = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for path in template_files()
        for line, text in unmarked_text(path.read_text(encoding="utf-8"))
    ]
    assert not failures, "Text not marked for translation ({% translate %} / {% blocktranslate %}):\n" + "\n".join(
        failures
    )


def test_unmarked_text_and_attributes_are_found_and_marked_text_is_not():
    source = (
        "{% load i18n %}<h1>Hello</h1>\n"
        '<input placeholder="Search {{ workspace.name }}"><button aria-label="{% translate "Close" %}">×</button>\n'
        '{% translate "Saved" %}{% blocktranslate trimmed %}Hi {{ name }}{% endblocktranslate %}\n'
        '{% comment %}A note{% endcomment %}<code>curl -X POST</code><kbd>Ctrl K</kbd><p>2 · 3</p><button value="go">\n'
        '<input type="submit" value="Send"><body class="{% block body_class %}client{% endblock %}">'
    )
    assert unmarked_text(source) == [(1, "Hello"), (2, 'placeholder="Search …"'), (5, 'value="Send"')]


def test_every_template_compiles_with_its_translation_tags():
    """A template using {% translate %} without {% load i18n %} fails here, not in front of someone."""
    for path in template_files():
        directory = next(d for d in TEMPLATE_DIRS if d in path.parents)
        get_template(str(path.relative_to(directory)))
