"""Bring the translation catalogues up to date with the code.

    ./tinig manage update_catalogues

Runs makemessages with Tinig's options (``core.catalogues``), rebuilds the
library strings we carry, and compiles both. New strings arrive with an
empty translation: fill them in, keeping to ``docs/glossary-fil.md``.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from core import catalogues


class Command(BaseCommand):
    help = "Extract our strings and the library strings we carry into the catalogues."

    def handle(self, *args, **options):
        call_command("makemessages", verbosity=0, **catalogues.MAKEMESSAGES_OPTIONS)
        for language in catalogues.TRANSLATED_LANGUAGES:
            ours = catalogues.OUR_LOCALE / language / "LC_MESSAGES" / "django.po"
            catalogues.normalise_header(ours, language)
            library = catalogues.library_catalogue(language)
            path = catalogues.LIBRARY_LOCALE / language / "LC_MESSAGES" / "django.po"
            path.parent.mkdir(parents=True, exist_ok=True)
            library.save(str(path))
        for path in catalogues.compile_catalogues():
            self.stdout.write(f"compiled {path.relative_to(catalogues.BASE_DIR)}")
        untranslated = catalogues.untranslated_counts()
        for path, count in untranslated.items():
            self.stdout.write(f"{path.relative_to(catalogues.BASE_DIR)}: {count} to translate")
