"""The German and Spanish catalogs are complete: every text marked in the code has a finished translation.

The marked texts are extracted afresh, as `make messages-extract` does (the same makemessages options,
read from the Makefile), from a copy of the sources, so the test writes nothing in the repository.
Each catalog must hold every extracted text, translated (every plural form), and not fuzzy; msgfmt must
accept it with --check-format (placeholders intact).
"""

from __future__ import annotations

import ast
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ["django", "djangojs"]
# Never sources of marked text: the copy for extraction leaves them out.
NOT_COPIED = {
    ".git",
    ".venv",
    "node_modules",
    "var",
    "locale",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    "artifacts",
}


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def read_po(path: Path) -> dict[tuple[str | None, str], Entry]:
    """The entries of a .po or .pot file by (context, msgid); the header is the entry (None, "")."""
    entries: list[Entry] = []
    current: Entry | None = None
    part: tuple[str, int] = ("msgid", 0)
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#~"):
            if current is not None:
                entries.append(current)
            current = None
            continue
        current = current or Entry()
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(current, part, ast.literal_eval(line))
        else:
            match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")', line)
            assert match, f"{path}: cannot read {line!r}"
            part = (match.group(1), int(match.group(2) or 0))
            if part[0] == "msgctxt":
                current.msgctxt = ""
            elif part[0] == "msgid_plural":
                current.msgid_plural = ""
            _append(current, part, ast.literal_eval(match.group(3)))
    return {entry.key: entry for entry in entries}


def _append(entry: Entry, part: tuple[str, int], text: str) -> None:
    name, index = part
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def extract_options() -> dict[str, list[str]]:
    """The makemessages ignore patterns of `make messages-extract`, by domain, read from the Makefile."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    options: dict[str, list[str]] = {}
    for line in makefile.splitlines():
        if "makemessages" not in line:
            continue
        words = shlex.split(line[line.index("makemessages") :])
        domain = words[words.index("-d") + 1] if "-d" in words else "django"
        options[domain] = [words[i + 1] for i, word in enumerate(words) if word == "-i"]
    assert set(options) == set(DOMAINS), "the Makefile's messages-extract no longer names both domains"
    return options


@pytest.fixture(scope="module")
def marked_texts(tmp_path_factory) -> dict[str, dict[tuple[str | None, str], Entry]]:
    """The texts marked in the code now, by domain: makemessages --keep-pot run on a copy of the sources."""
    work = tmp_path_factory.mktemp("extract")
    sources, pots = work / "src", work / "pots"
    shutil.copytree(ROOT, sources, ignore=lambda _dir, names: [n for n in names if n in NOT_COPIED])
    pots.mkdir()
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(sources)
        patch.setattr(settings, "LOCALE_PATHS", [pots])
        for domain, ignored in extract_options().items():
            args = ["--all", "--keep-pot", "--domain", domain, "--verbosity", "0"]
            call_command("makemessages", *args, *(f"--ignore={pattern}" for pattern in ignored))
            found[domain] = read_po(pots / f"{domain}.pot")
    return found


def catalog_path(language: str, domain: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_text_is_translated(marked_texts, language, domain):
    path = catalog_path(language, domain)
    if domain == "djangojs" and not any(catalog_path(code, domain).exists() for code in TRANSLATED):
        pytest.skip("the browser client has no catalogs yet (locale/*/LC_MESSAGES/djangojs.po)")
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `make messages-extract` and translate it"
    catalog = read_po(path)
    plurals = re.search(r"nplurals=(\d+)", catalog[(None, "")].msgstr.get(0, ""))
    assert plurals, f"{path.relative_to(ROOT)} has no Plural-Forms header"
    marked = {key: entry for key, entry in marked_texts[domain].items() if entry.msgid}
    assert marked, f"no text marked for translation was found in the {domain} domain"
    problems = []
    for key, wanted in marked.items():
        entry = catalog.get(key)
        label = (f"[{key[0]}] " if key[0] else "") + repr(key[1])
        plural_forms = 1 if wanted.msgid_plural is None else int(plurals.group(1))
        if entry is None:
            problems.append(f"missing: {label}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {label}")
        elif len(entry.msgstr) != plural_forms or not all(entry.msgstr.values()):
            problems.append(f"untranslated (or not every plural form): {label}")
    assert not problems, (
        f"{path.relative_to(ROOT)} is not complete; run `make messages-extract`, translate, `make messages`:\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_msgfmt_accepts_every_catalog_with_its_placeholders(language, domain):
    path = catalog_path(language, domain)
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} does not exist yet")
    result = subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_po_reader_reads_contexts_plurals_flags_and_continued_lines(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "Language: de\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "role"\nmsgid "owner"\nmsgstr ""\n"Inhaber"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s Tag"\nmsgstr[1] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert set(entries) == {(None, ""), ("role", "owner"), (None, "%(n)s day")}
    assert entries[("role", "owner")].msgstr == {0: "Inhaber"}
    assert entries[("role", "owner")].flags == {"fuzzy", "python-format"}
    assert entries[(None, "%(n)s day")].msgid_plural == "%(n)s days"
    assert entries[(None, "%(n)s day")].msgstr == {0: "%(n)s Tag", 1: ""}
