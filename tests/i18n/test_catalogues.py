"""The Filipino catalogues are whole: every string of ours and every library
string we carry has a Filipino translation (non-empty, not fuzzy, with the
same placeholders and tags), and running makemessages the way
``update_catalogues`` does would change nothing, so no string was added to
the code without reaching the catalogue."""

from __future__ import annotations

import re
import shutil
import subprocess

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

from core import catalogues

LANGUAGE = "fil"
OURS = catalogues.OUR_LOCALE / LANGUAGE / "LC_MESSAGES" / "django.po"
LIBRARIES = catalogues.LIBRARY_LOCALE / LANGUAGE / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, {{ name }}, {name}, and HTML tags.
MARKS = re.compile(
    r"%\([a-z_0-9]+\)[sdfr]|%[sdf]|\{\{ *[^}]+ *\}\}|\{[a-z_0-9]+\}|</?[a-zA-Z][^>]*>"
)


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [
            (entry.msgid, entry.msgstr_plural.get(0, "")),
            (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
        ]
    return [(entry.msgid, entry.msgstr)]


def _entries(catalogue: polib.POFile) -> list[tuple]:
    return [
        (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, sorted(e.msgstr_plural.items()))
        for e in catalogue
    ]


@pytest.mark.parametrize("path", [OURS, LIBRARIES], ids=["ours", "libraries"])
def test_every_string_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > (2000 if path == OURS else 200)
    assert catalogue.metadata["Language"] == LANGUAGE
    assert catalogue.metadata["Plural-Forms"] == catalogues.PLURAL_FORMS[LANGUAGE]
    empty = [e.msgid for e in catalogue if any(not text.strip() for _en, text in _pairs(e))]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not empty, f"{len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert catalogue.percent_translated() == 100


@pytest.mark.parametrize("path", [OURS, LIBRARIES], ids=["ours", "libraries"])
def test_translations_keep_every_placeholder_and_tag(path):
    wrong = [
        english
        for entry in polib.pofile(str(path))
        for english, filipino in _pairs(entry)
        if sorted(MARKS.findall(english)) != sorted(MARKS.findall(filipino))
        or english.endswith("\n") != filipino.endswith("\n")
    ]
    assert not wrong, wrong[:10]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext (msgfmt)")
@pytest.mark.parametrize("path", [OURS, LIBRARIES], ids=["ours", "libraries"])
def test_msgfmt_finds_everything_translated(path):
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_makemessages_would_change_nothing(tmp_path, settings, monkeypatch):
    """makemessages, as update_catalogues runs it, into a copy: same entries,
    same translations. A failure means a string in the code is not in the
    catalogue yet: run `./tinig manage update_catalogues` and translate it."""
    copy = tmp_path / "locale"
    shutil.copytree(catalogues.OUR_LOCALE, copy)
    # A copy of the sources, in a folder with no catalogue in it:
    # makemessages writes next to the nearest "locale" folder it can see, and
    # writes a temporary .py beside every template it reads, which must not
    # appear in the repository while other tests read its files.
    sources = tmp_path / "sources"
    skipped = {"locale", "locale_libraries", "tests", "bench", "staticfiles", "test-artifacts"}
    for entry in catalogues.BASE_DIR.iterdir():
        if entry.name.startswith(".") or entry.name in skipped:
            continue
        if entry.is_dir():
            shutil.copytree(entry, sources / entry.name, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            (sources).mkdir(exist_ok=True)
            shutil.copy2(entry, sources / entry.name)
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(sources)
    call_command("makemessages", verbosity=0, **catalogues.MAKEMESSAGES_OPTIONS)
    regenerated = polib.pofile(str(copy / LANGUAGE / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(OURS))
    new = {e.msgid for e in regenerated} - {e.msgid for e in committed}
    gone = {e.msgid for e in committed} - {e.msgid for e in regenerated}
    assert not new, f"not in the catalogue yet: {sorted(new)[:10]}"
    assert not gone, f"no longer in the code: {sorted(gone)[:10]}"
    assert _entries(regenerated) == _entries(committed)


def test_the_library_strings_we_carry_match_the_installed_libraries():
    """A library upgrade that adds or rewords a string shows here."""
    assert _entries(catalogues.library_catalogue(LANGUAGE)) == _entries(
        polib.pofile(str(LIBRARIES))
    )


def test_compiled_catalogues_are_fresh():
    """./tinig compiles before the run and the tests; nothing is stale."""
    assert catalogues.compile_catalogues() == []


def test_django_knows_filipino():
    assert translation.check_for_language(LANGUAGE)
    assert translation.get_language_info(LANGUAGE)["name_local"] == "Filipino"
    # Many phones say Tagalog, or Filipino in the Philippines.
    assert translation.get_supported_language_variant("tl") == LANGUAGE
    assert translation.get_supported_language_variant("fil-PH") == LANGUAGE


@pytest.mark.parametrize(
    ("english", "filipino"),
    [
        ("Saying no is always fine.", "Ayos lang palagi ang humindi."),  # ours
        ("January", "Enero"),  # Django's, carried in locale_libraries
        ("This field is required.", "Kailangan ang field na ito."),
    ],
)
def test_strings_come_out_in_filipino(english, filipino):
    with translation.override(LANGUAGE):
        assert translation.gettext(english) == filipino
