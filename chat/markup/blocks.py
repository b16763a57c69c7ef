"""A message's blocks, as static/js/client/markdown.js finds them: ``` fences (with a language hint when the
first line names one), quotes, bulleted and numbered lists (nested by indentation), and paragraphs.

One pass over the lines with a stack of open lists: each line opens at most one level and closes what it
ends, so the work is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chat.markup.inline import Inline, decode_entities, parse_inline

FENCE = "```"
# Every name static/js/client/highlight-languages.js accepts after a fence (its languages, their aliases and the plain
# ones); a test keeps the two tables equal. An email drops the hint the way the client does, without colours.
FENCE_LANGUAGES = frozenset(
    {
        "bash", "sh", "zsh", "c", "h", "cpp", "cc", "c++", "h++", "hpp", "hh", "hxx", "cxx", "csharp", "cs", "c#",
        "css", "diff", "patch", "dockerfile", "docker", "go", "golang", "ini", "toml", "java", "jsp", "javascript",
        "js", "jsx", "mjs", "cjs", "json", "jsonc", "json5", "kotlin", "kt", "kts", "makefile", "mk", "mak", "make",
        "markdown", "md", "mkd", "php", "python", "py", "python3", "py3", "gyp", "ipython", "ruby", "rb", "gemspec",
        "podspec", "irb", "rust", "rs", "scss", "shell", "console", "shellsession", "sql", "swift", "typescript",
        "ts", "tsx", "mts", "cts", "xml", "html", "xhtml", "svg", "rss", "atom", "xsd", "xsl", "plist", "yaml", "yml",
        "text", "txt", "plain", "plaintext", "output", "log",
    }
)  # fmt: skip
FENCE_HINT_RE = re.compile(r"^([A-Za-z][\w+#.-]{0,19})[ \t]*\n")
QUOTE_RE = re.compile(r"^(?:>|&gt;) ?(.*)")
ITEM_RE = re.compile(r"^([ \t]*)(?:([-*•])|(\d{1,9})[.)]) +(.*)")
MAX_LIST_DEPTH = 8

Line = list[Inline]


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)


@dataclass
class Quote:
    lines: list[Line] = field(default_factory=list)


@dataclass
class Item:
    content: Line
    lists: list[ListBlock] = field(default_factory=list)


@dataclass
class ListBlock:
    ordered: bool
    start: int
    items: list[Item] = field(default_factory=list)


@dataclass
class CodeBlock:
    code: str
    language: str | None = None


Block = Paragraph | Quote | ListBlock | CodeBlock


@dataclass
class _Level:
    indent: int
    block: ListBlock
    parent: Item | None


class _Lists:
    """Consecutive item lines as nested lists (static/js/client/markdown.js's ListBuilder)."""

    def __init__(self, out: list[Block], names: dict[str, str]) -> None:
        self.out, self.names, self.stack = out, names, list[_Level]()

    def add(self, match: re.Match[str]) -> None:
        indent = len(match.group(1).replace("\t", "    "))
        ordered = match.group(2) is None
        while self.stack and self.stack[-1].indent > indent:
            self.stack.pop()
        top = self.stack[-1] if self.stack else None
        if top and top.indent < indent and len(self.stack) < MAX_LIST_DEPTH:
            top = self._open(ordered, match.group(3), indent, top.block.items[-1])
        elif top is None or top.block.ordered != ordered:
            if top:
                self.stack.pop()
            top = self._open(ordered, match.group(3), top.indent if top else indent, top.parent if top else None)
        top.block.items.append(Item(parse_inline(match.group(4), self.names)))

    def _open(self, ordered: bool, number: str | None, indent: int, parent: Item | None) -> _Level:
        block = ListBlock(ordered=ordered, start=int(number) if ordered and number else 1)
        (parent.lists if parent else self.out).append(block)
        level = _Level(indent, block, parent)
        self.stack.append(level)
        return level


def _line_blocks(lines: list[str], names: dict[str, str]) -> list[Block]:
    out: list[Block] = []
    current: Paragraph | Quote | None = None
    lists: _Lists | None = None
    for line in lines:
        quoted = QUOTE_RE.fullmatch(line)
        item = None if quoted else ITEM_RE.fullmatch(line)
        if item:
            current = None
            lists = lists or _Lists(out, names)
            lists.add(item)
            continue
        lists = None
        if current is None or isinstance(current, Quote) != bool(quoted):
            current = Quote() if quoted else Paragraph()
            out.append(current)
        current.lines.append(parse_inline(quoted.group(1) if quoted else line, names))
    return out


def _code_block(part: str) -> CodeBlock:
    hint = FENCE_HINT_RE.match(part)
    language = hint.group(1).lower() if hint and hint.group(1).lower() in FENCE_LANGUAGES else None
    body = part[hint.end() :] if hint and language else part.removeprefix("\n")
    return CodeBlock(code=decode_entities(body.removesuffix("\n")), language=language)


def parse_blocks(text: str, names: dict[str, str]) -> list[Block]:
    """The blocks of stored message text; `names` resolves the people, channels and groups it mentions."""
    blocks: list[Block] = []
    parts = (text or "").split(FENCE)
    for index, part in enumerate(parts):
        if index % 2 == 1 and index < len(parts) - 1:
            blocks.append(_code_block(part))
            continue
        chunk = FENCE + part if index % 2 == 1 else part  # an unclosed fence stays text
        if chunk.strip():
            blocks.extend(_line_blocks(chunk.strip("\n").split("\n"), names))
    return blocks
