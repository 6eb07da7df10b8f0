"""Tinig's translation catalogues: ours, the library strings we carry, and
compiling both.

Two catalogues per language (``docs/glossary-fil.md`` says how they are
written):

- ``locale/<lang>/LC_MESSAGES/django.po``: every string of ours, extracted by
  ``makemessages`` with the options in ``MAKEMESSAGES_OPTIONS`` (the test
  suite runs the same and fails when the catalogue would change).
- ``locale_libraries/<lang>/LC_MESSAGES/django.po``: the strings of Django,
  django.contrib.auth and django-allauth that a person actually meets on our
  pages (form errors, dates, sign-in and second-factor messages). Those
  libraries ship no Filipino, so we carry it. ``library_catalogue`` builds it
  from the libraries' own English catalogues, keeping what is already
  translated; it is second in ``LOCALE_PATHS`` so our own wording wins.

The compiled ``.mo`` files are not committed: ``./tinig`` compiles them
(``python -m core.catalogues``) before it runs the app or the tests, with
polib, so neither needs GNU gettext installed. Only ``makemessages`` (a
developer's command and one test) needs it.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
OUR_LOCALE = BASE_DIR / "locale"
LIBRARY_LOCALE = BASE_DIR / "locale_libraries"
TRANSLATED_LANGUAGES = ("fil",)

# makemessages, exactly as run by `./tinig manage update_catalogues` and the
# test that nothing was left unextracted. No line numbers: a moved string
# must not churn the catalogue.
MAKEMESSAGES_OPTIONS = {
    "locale": list(TRANSLATED_LANGUAGES),
    "add_location": "file",
    "no_obsolete": True,
    "ignore_patterns": [
        ".venv/*",
        ".local/*",
        "staticfiles/*",
        "tests/*",
        "bench/*",
        "test-artifacts/*",
        "node_modules/*",
        # Not sources; and a folder named "locale" that makemessages walks
        # into becomes where it writes, whatever LOCALE_PATHS says.
        "locale",
        "locale_libraries",
    ],
}

PLURAL_FORMS = {"fil": "nplurals=2; plural=(n > 1);"}


@dataclass(frozen=True)
class LibrarySource:
    """One library's English catalogue and the source files of it whose
    strings reach our pages (glob patterns against its ``#:`` references)."""

    package: str
    catalogue: str
    occurrences: tuple[str, ...]


LIBRARY_SOURCES = (
    LibrarySource(
        "django",
        "conf/locale/en/LC_MESSAGES/django.po",
        (
            "utils/dates.py",
            "utils/dateformat.py",
            "utils/timesince.py",
            "utils/text.py",
            "core/validators.py",
            "core/paginator.py",
            "forms/*",
            "db/models/fields/__init__.py",
            "db/models/fields/files.py",
            "db/models/base.py",
            "db/models/constraints.py",
            "template/defaultfilters.py",
        ),
    ),
    LibrarySource(
        "django",
        "contrib/auth/locale/en/LC_MESSAGES/django.po",
        ("password_validation.py", "forms.py", "validators.py"),
    ),
    LibrarySource(
        "allauth",
        "locale/en/LC_MESSAGES/django.po",
        (
            "account/adapter.py",
            "account/forms.py",
            "account/fields.py",
            "account/views.py",
            "account/internal/*",
            "mfa/adapter.py",
            "mfa/base/*",
            "mfa/totp/*",
            "mfa/recovery_codes/*",
            "templates/account/messages/*",
            "templates/mfa/messages/*",
            "templates/account/email/login_code*",
            "templates/account/email/password_reset*",
            "templates/account/email/password_changed*",
            "templates/account/email/password_set*",
            "templates/account/email/base_*",
            "templates/account/email/unknown_account*",
            "templates/mfa/email/*",
        ),
    ),
)


def _package_dir(package: str) -> Path:
    module = __import__(package)
    return Path(str(module.__file__)).resolve().parent


def _wanted(entry: polib.POEntry, patterns: tuple[str, ...]) -> bool:
    return any(
        fnmatch.fnmatch(path, pattern) for path, _line in entry.occurrences for pattern in patterns
    )


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def library_catalogue(language: str) -> polib.POFile:
    """The library strings we carry for ``language``, in the libraries'
    order, with the translations already in ``locale_libraries`` kept.
    Strings our own catalogue has already are left out: ours win anyway."""
    path = LIBRARY_LOCALE / language / "LC_MESSAGES" / "django.po"
    existing = {_key(entry): entry for entry in polib.pofile(str(path))} if path.exists() else {}
    ours_path = OUR_LOCALE / language / "LC_MESSAGES" / "django.po"
    ours = {_key(entry) for entry in polib.pofile(str(ours_path))} if ours_path.exists() else set()
    catalogue = polib.POFile(wrapwidth=79)
    catalogue.metadata = {
        "Project-Id-Version": "Tinig (library strings)",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS[language],
    }
    seen: set[tuple[str | None, str]] = set(ours)
    for source in LIBRARY_SOURCES:
        english = polib.pofile(str(_package_dir(source.package) / source.catalogue))
        for entry in english:
            if entry.obsolete or not entry.msgid or not _wanted(entry, source.occurrences):
                continue
            if _key(entry) in seen:
                continue
            seen.add(_key(entry))
            kept = existing.get(_key(entry))
            carried = polib.POEntry(
                msgctxt=entry.msgctxt,
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                comment=f"{source.package}: "
                + ", ".join(sorted({path for path, _line in entry.occurrences})),
                flags=[flag for flag in entry.flags if flag != "fuzzy"],
            )
            if entry.msgid_plural:
                carried.msgstr_plural = (
                    dict(kept.msgstr_plural) if kept is not None else {0: "", 1: ""}
                )
            else:
                carried.msgstr = kept.msgstr if kept is not None else ""
            catalogue.append(carried)
    return catalogue


HEADER = """# Tinig: our own strings. Keep to docs/glossary-fil.md.
msgid ""
msgstr ""
"Project-Id-Version: Tinig\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural_forms}\\n"
"""


def normalise_header(path: Path, language: str) -> None:
    """Our header in place of the one makemessages writes (a template with
    placeholders, and a creation date that changes on every run). Only the
    header: the entries keep gettext's own layout."""
    text = path.read_text(encoding="utf-8")
    _header, separator, entries = text.partition("\n\n")
    header = HEADER.format(language=language, plural_forms=PLURAL_FORMS[language]).rstrip("\n")
    path.write_text(header + separator + entries, encoding="utf-8")


def untranslated_counts() -> dict[Path, int]:
    """Entries still to translate (empty or fuzzy), per catalogue."""
    counts = {}
    for path in catalogue_paths():
        catalogue = polib.pofile(str(path))
        missing = len(catalogue.untranslated_entries()) + len(catalogue.fuzzy_entries())
        if missing:
            counts[path] = missing
    return counts


def catalogue_paths() -> list[Path]:
    return sorted(
        path for root in (OUR_LOCALE, LIBRARY_LOCALE) for path in root.glob("*/LC_MESSAGES/*.po")
    )


def compile_catalogues(*, force: bool = False) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older; returns those
    compiled. Fuzzy entries are left out, as msgfmt does."""
    compiled = []
    for po_path in catalogue_paths():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        compiled.append(mo_path)
    return compiled


if __name__ == "__main__":  # ./tinig: python -m core.catalogues [--force]
    for path in compile_catalogues(force="--force" in sys.argv):
        print(f"tinig: compiled {path.relative_to(BASE_DIR)}", file=sys.stderr)
