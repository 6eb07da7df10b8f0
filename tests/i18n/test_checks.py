"""The English detector of tests/i18n_checks.py, held to our own catalogues:
it finds the English of nearly every sentence we wrote, and not one of the
Filipino translations (so a msgstr left in English, or half translated,
fails here as well as on a page)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from tests.i18n_checks import doubled_stops, english_sentences, function_words, sentences

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale" / "fil" / "LC_MESSAGES" / "django.po",
    ROOT / "locale_libraries" / "fil" / "LC_MESSAGES" / "django.po",
]
# Placeholders and markup are not words of either language.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdf]|\{\{.*?\}\}|\{\w*\}|<[^>]+>")


def _entries():
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            english = [entry.msgid, *([entry.msgid_plural] if entry.msgid_plural else [])]
            filipino = list(entry.msgstr_plural.values()) if entry.msgstr_plural else [entry.msgstr]
            yield path.parts[-4], english, filipino


def test_no_filipino_translation_reads_as_english():
    flagged = [
        (catalogue, text, found)
        for catalogue, _english, filipino in _entries()
        for text in filipino
        if (found := english_sentences(PLACEHOLDER.sub(" ", text)))
    ]
    assert not flagged, "\n".join(f"{c}: {t!r} -> {f}" for c, t, f in flagged)


def test_nearly_every_english_sentence_is_found():
    """Sentences of six words or more: at least 95% are found. (What is
    missed is mostly a noun phrase, "Estimated hours (preparation, travel,
    engagement, debrief)", which a person reading the screenshots sees.)"""
    long = [
        PLACEHOLDER.sub(" ", text)
        for _catalogue, english, _filipino in _entries()
        for text in english
        if len(PLACEHOLDER.sub(" ", text).split()) >= 6
    ]
    found = [text for text in long if english_sentences(text)]
    assert len(long) > 500
    assert len(found) / len(long) >= 0.95, sorted(set(long) - set(found))[:40]


@pytest.mark.parametrize(
    "text",
    [
        "Your document is ready",
        "Thank you for saying yes.",
        "You can stop at any time without a reason.",
        "Sign in with a code",
        "Data-subject access: complete record prepared as a PDF",
    ],
)
def test_english_is_found(text):
    assert english_sentences(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "Mag-sign in gamit ang code",
        "I-download ang PDF",
        "Ii-e-mail namin sa iyo ang isang maikling code. Hindi kailangan ng password.",
        "Puwede kang tumigil kahit kailan, kahit walang dahilan.",
        "Mag-sign out",
        "10:00 n.u.\N{EN DASH}12:00 n.h. (Oras sa Pilipinas)",
        "May imbitasyon para sa iyo.",
    ],
)
def test_filipino_is_not(text):
    assert english_sentences(text) == []


def test_one_function_word_is_not_a_sentence():
    """A label such as "Your record" is short and holds one: not counted
    (the threshold is two), so loanword labels ("Reference") pass too."""
    assert function_words("Your record") == ["your"]
    assert english_sentences("Your record\nReference") == []


def test_allowed_data_is_taken_out_first():
    text = "Inimbitahan ka sa “Talk about the youth of the city”.\nIpinadala."
    assert english_sentences(text)
    assert english_sentences(text, allow=["Talk about the youth of the city"]) == []


def test_each_line_and_sentence_is_read_on_its_own():
    text = "Handa na ang dokumento mo. This is ready for you!\nI-download\nand the rest"
    assert sentences(text) == [
        "Handa na ang dokumento mo.",
        "This is ready for you!",
        "I-download",
        "and the rest",
    ]
    assert english_sentences(text) == ["This is ready for you!", "and the rest"]


def test_a_doubled_stop_after_a_time_is_found():
    assert doubled_stops("Sa 6 Dis 2026, 5:30 n.u.. Kung...\nAt 9:00 n.h.") == [
        "Sa 6 Dis 2026, 5:30 n.u.. Kung..."
    ]
    assert doubled_stops("mula 10:00 n.u. hanggang 12:00 n.h. ang meeting mo.") == []
    assert doubled_stops("Hintayin mo...") == []
