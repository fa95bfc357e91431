"""The German catalogue (locale/de/LC_MESSAGES/django.po) as the language tests read it, and the
check that a rendered page speaks one language: no English string of the catalogue in a German
page, no German one in an English page. Names and questionnaire texts people typed are taken
out of the page first: they are shown as typed."""

from __future__ import annotations

import ast
import html
import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"

_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')
#: Placeholders of both kinds the code uses, and markup inside a message.
_HOLES = re.compile(r"%\([a-z_]+\)[sdg]|%%|\{[a-z_]*\}|<[^>]+>")


@dataclass(frozen=True)
class Entry:
    msgid: str
    plural: str | None
    msgstrs: tuple[str, ...]
    fuzzy: bool

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs) and not self.fuzzy


@cache
def entries() -> tuple[Entry, ...]:
    """Every message of the German catalogue but the header."""
    found = []
    for block in CATALOGUE.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            elif match := _FIELD.match(line):
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        msgstrs = tuple(value for key, value in sorted(fields.items()) if key.startswith("msgstr"))
        found.append(Entry(fields["msgid"], fields.get("msgid_plural"), msgstrs, fuzzy))
    return tuple(found)


def _fragments(message: str) -> list[str]:
    """The words of a message worth looking for: the runs of text between its placeholders
    and tags, at least four letters long (a bare "of" or "in" says nothing)."""
    pieces = [piece.strip(" .,:;!?()·–—→←▸“”\"'") for piece in _HOLES.split(message)]
    return [piece for piece in pieces if len(re.sub(r"[^A-Za-zÄÖÜäöüß]", "", piece)) >= 4]


def _pattern(fragment: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\wÄÖÜäöüß])" + re.escape(fragment) + r"(?![\wÄÖÜäöüß])")


@cache
def english_fragments() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What would betray an untranslated English message in a German page: the fragments of
    every msgid whose German differs from it (names such as "Dashboard" stay the same)."""
    found = {}
    for entry in entries():
        for english in filter(None, (entry.msgid, entry.plural)):
            for fragment in _fragments(english):
                if not any(fragment in german for german in entry.msgstrs):
                    found[fragment] = _pattern(fragment)
    return tuple(found.items())


@cache
def german_fragments() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """What would betray a German message in an English page: fragments of the translations
    that are not English too (two words or more, or one long word)."""
    english_words = {fragment for entry in entries() for fragment in _fragments(entry.msgid)}
    found = {}
    for entry in entries():
        for german in entry.msgstrs:
            for fragment in _fragments(german):
                if fragment in english_words or fragment in entry.msgid:
                    continue
                if " " in fragment or len(fragment) >= 8:
                    found[fragment] = _pattern(fragment)
    return tuple(found.items())


class _Text(HTMLParser):
    """A page's words: its text and the attributes people hear or see (labels, titles)."""

    SHOWN = {"title", "aria-label", "placeholder", "alt", "data-label", "value"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in self.SHOWN or name.startswith("data-msg-")):
                if name == "value" and tag != "button":
                    continue
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def words_of(page: str, *, typed: list[str] = ()) -> str:
    """The text of an HTML page (or of a plain-text email), without what people typed."""
    parser = _Text()
    parser.feed(page)
    text = "\n".join(parser.parts) if "<" in page else html.unescape(page)
    text = re.sub(r"\S+@\S+", " ¶ ", text)  # email addresses, typed or examples
    for value in sorted({t for t in typed if t and len(t) >= 3}, key=len, reverse=True):
        text = re.sub(r"(?<![\wÄÖÜäöüß])" + re.escape(value) + r"(?![\wÄÖÜäöüß])", " ¶ ", text)
    return re.sub(r"[ \t\u00a0\u202f]+", " ", text)


def english_in(text: str) -> list[str]:
    return [fragment for fragment, pattern in english_fragments() if pattern.search(text)]


def german_in(text: str) -> list[str]:
    return [fragment for fragment, pattern in german_fragments() if pattern.search(text)]
