"""Is this text in Filipino? A detector of English sentences, for pages,
e-mails, text messages, calendar files and PDFs made for someone whose
language is Filipino.

A Filipino sentence takes English loanwords ("mag-sign in", "i-download ang
PDF", "ang e-mail mo") but never English *function words*: "the", "your",
"is", "for", "with"... A line that holds two or more of them is an English
sentence, or an English phrase left untranslated (an unmarked string, or
one missing from the catalogue). The list leaves out every word that is
also Filipino or a loanword of the glossary (docs/glossary-fil.md): "at",
"in", "to", "may", "na", "sign", "code", "link", "e-mail", "password"...

Data that is not ours to translate (an engagement's title, a pseudonym, a
venue) is passed in ``allow`` and taken out of the text before it is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# English words that carry grammar, not meaning, and that Filipino does not
# use: not one of them is in a Filipino msgstr of our catalogues
# (tests/i18n/test_checks.py). Left out: "at" (and), "may" (there is), "na",
# "sa", "no", "so" are Filipino or everyday Taglish; "in", "out", "up", "to"
# are parts of loanword phrases ("mag-sign in", "mag-sign out"); "I" is the
# "I-" of "I-save".
# fmt: off
ENGLISH_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "there", "here", "it", "its",
    "it's", "i'm", "you", "you're", "you'll", "you've", "your", "yours", "we", "we're",
    "we'll", "our", "ours", "us", "he", "she", "his", "her", "him", "they", "they're",
    "their", "them", "me", "my", "is", "are", "isn't", "aren't", "was", "were", "wasn't",
    "weren't", "be", "been", "being", "am", "have", "has", "had", "haven't", "hasn't",
    "do", "does", "did", "don't", "doesn't", "didn't", "will", "won't", "would",
    "wouldn't", "can", "can't", "cannot", "could", "couldn't", "should", "shouldn't",
    "must", "might", "shall", "and", "or", "nor", "but", "if", "because", "while", "until",
    "whether", "than", "then", "as", "for", "with", "without", "of", "from", "by", "on",
    "into", "about", "after", "before", "not", "only", "also", "already", "still", "yet",
    "just", "very", "too", "what", "when", "where", "which", "who", "whom", "whose", "why",
    "how", "all", "any", "each", "every", "both", "either", "more", "most", "other", "own",
    "such", "please",
})
# fmt: on

# A word: letters, joined by hyphens or apostrophes ("mag-sign", "i-download",
# "don't"), so that Filipino's "I-" prefix is not the English "I"; a run
# with digits in it (a reference, a UID: "5bd1b997bc0f") holds no word.
_APOSTROPHES = "'\N{RIGHT SINGLE QUOTATION MARK}"
_WORD = re.compile(
    rf"(?<![\w{_APOSTROPHES}\-])[^\W\d_]+(?:[{_APOSTROPHES}\-][^\W\d_]+)*(?![\w{_APOSTROPHES}\-])"
)
# Addresses are not sentences: links and e-mail addresses go before reading.
_ADDRESS = re.compile(r"\S+://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Sentences end at a full stop, question or exclamation mark followed by a
# space, and at every line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def function_words(sentence: str) -> list[str]:
    """The English function words in ``sentence``, in order, lower case."""
    words = (
        word.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
        for word in _WORD.findall(sentence)
    )
    return [word for word in words if word in ENGLISH_FUNCTION_WORDS]


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences and lines, each stripped, none empty."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def english_sentences(text: str, allow: Iterable[str] = (), *, threshold: int = 2) -> list[str]:
    """The sentences of ``text`` that read as English: each holds at least
    ``threshold`` English function words. ``allow``: data values (titles,
    names, places) to take out of the text first; the longest first, so that
    a value containing another goes whole."""
    for value in sorted((value for value in allow if value), key=len, reverse=True):
        text = text.replace(value, " ")
    text = _ADDRESS.sub(" ", text)
    return [
        " ".join(sentence.split())
        for sentence in sentences(text)
        if len(function_words(sentence)) >= threshold
    ]


# Filipino times end in a stop ("9:00 n.u."): a sentence that ends with one
# must not add its own ("hanggang 12:00 n.h..").
_DOUBLED_STOP = re.compile(r"\b(?:n\.[uh]|[ap]\.m)\.\.(?!\.)")


def doubled_stops(text: str) -> list[str]:
    """The sentences of ``text`` where a time's stop is doubled."""
    return [" ".join(line.split()) for line in text.splitlines() if _DOUBLED_STOP.search(line)]


# What a person sees and hears on a page, for ``english_sentences``: the
# page's title, the visible text (every <details> opened first, then closed
# again, so folded text counts), and the labels read aloud or shown on
# hover (aria-label, placeholder, title, alt) of visible elements, one per
# line. For Playwright's ``page.evaluate``.
PAGE_TEXT_SCRIPT = """() => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach((details) => { details.open = true; });
  const lines = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], [alt]")) {
    if (el.closest("head") || !el.getClientRects().length) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = el.getAttribute(name);
      if (value) lines.push(value);
    }
  }
  closed.forEach((details) => { details.open = false; });
  return lines.join("\\n");
}"""
