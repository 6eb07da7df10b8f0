"""Finding English left on a page, e-mail or PDF that should be in Filipino.

A line is English when it has two or more English function words (words no
Filipino sentence uses, and that no loanword in docs/glossary-fil.md
contains), or when the whole line is a common English control label
("Save", "Cancel"). Data (titles, pseudonyms, venues) is not ours to
translate: pass it in ``allow`` and it is taken out first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Not: at, na, sa, may, to ("'to" is colloquial Filipino), in / on / off
# (sign in, naka-on), no, a.
_WORDS = """the your you and is are for with this that will not can have has be of we
our they their was were what when which how if please been would should about there
here these those from by an it or do does any all into than then them its yours don't
isn't can't won't we'll you'll you're it's"""
_LABELS = """save cancel back submit delete remove edit continue confirm close search
previous next accept decline withdraw settings language change send help yes no done"""
ENGLISH_WORDS = frozenset(_WORDS.split())
ENGLISH_LABELS = frozenset(_LABELS.split()) | {"sign out"}
WORD = re.compile(r"[A-Za-z][A-Za-z']*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|\s*[·|•]\s*")


def english_lines(text: str, allow: Iterable[str] = ()) -> list[str]:
    for value in sorted({value for value in allow if value and len(value) > 2}, key=len)[::-1]:
        text = text.replace(value, " ")
    found = []
    for line in SENTENCE_END.split(text):
        line = " ".join(line.split())
        if not line:
            continue
        words = [word.lower() for word in WORD.findall(line)]
        if sum(word in ENGLISH_WORDS for word in words) >= 2 or line.lower() in ENGLISH_LABELS:
            found.append(line)
    return found


class _VisibleText(HTMLParser):
    """What a person reads or hears: text outside script, style, template
    and hidden elements, and the labels in aria-label, title, placeholder,
    alt and button values."""

    SKIP = {"script", "style", "template", "noscript", "head"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}
    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it skipped?

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = tag in self.SKIP or "hidden" in attributes
        if not skipped and not self._skipping():
            for name in self.ATTRIBUTES:
                if attributes.get(name):
                    self.parts.append(f"\n{attributes[name]}\n")
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.parts.append(f"\n{attributes.get('value') or ''}\n")
        if tag not in self.VOID:
            self.stack.append(skipped)
        if tag in ("p", "li", "td", "th", "h1", "h2", "h3", "dt", "dd", "label", "option"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)
