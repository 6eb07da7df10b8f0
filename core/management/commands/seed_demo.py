"""Load the demo data of every app, in dependency order. Safe to re-run:
each app's ``demo.seed()`` creates only what is missing."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Apps whose demo module is loaded, in dependency order.
DEMO_APPS = [
    "accounts",
    "consultants",
    "engagements",
    "checklists",
    "compensation",
    "impact",
    "network",
]


class Command(BaseCommand):
    help = "Load invented demo data (idempotent). Refused in production settings."

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is for development only (DEBUG is off).")
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                created = module.seed()
            self.stdout.write(f"demo data: {app}: {len(created)} new")
