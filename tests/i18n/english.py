"""English left on a page or e-mail rendered by the test client: the text a
person reads in HTML (``visible_text``), checked by ``english_lines``. The
sentence detector itself is ``tests.i18n_checks`` (shared with the browser
tests). Data (titles, pseudonyms, venues) is not ours to translate: pass it
in ``allow`` and it is taken out first."""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser

from tests.i18n_checks import english_sentences

# Whole lines that are a common English control label ("Save", "Cancel"):
# one word, which the function-word count cannot catch.
_LABELS = """save cancel back submit delete remove edit continue confirm close search
previous next accept decline withdraw settings language change send help yes no done"""
ENGLISH_LABELS = frozenset(_LABELS.split()) | {"sign out"}


def english_lines(text: str, allow: Iterable[str] = ()) -> list[str]:
    """English sentences (``tests.i18n_checks.english_sentences``) and lines
    that are an English control label."""
    found = english_sentences(text, allow=[value for value in allow if len(value) > 2])
    for line in text.splitlines():
        line = " ".join(line.split())
        if line.lower() in ENGLISH_LABELS:
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
