"""Links in e-mails name the public host: SITE_DOMAIN is written to the
site at the end of every migrate (core/sites.py)."""

from __future__ import annotations

import pytest
from allauth.utils import build_absolute_uri
from django.apps import apps
from django.contrib.sites.models import Site

from core.sites import set_site_domain_on_migrate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_the_site():
    # The test's changes are rolled back; the cached site must go with them.
    yield
    Site.objects.clear_cache()


def _last_app_with_models():
    return [config for config in apps.get_app_configs() if config.models_module][-1]


def test_the_domain_is_written_at_the_end_of_a_migrate(settings):
    settings.SITE_DOMAIN = "tinig.example.org"
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

    set_site_domain_on_migrate(_last_app_with_models(), using="default")

    site = Site.objects.get_current()
    assert site.domain == "tinig.example.org"
    assert site.name == "Tinig"  # the name stays (e-mail subjects)
    assert build_absolute_uri(None, "/portal/") == "https://tinig.example.org/portal/"


def test_only_once_per_migrate_and_not_without_a_domain(settings):
    settings.SITE_DOMAIN = "tinig.example.org"
    set_site_domain_on_migrate(apps.get_app_config("accounts"), using="default")
    assert Site.objects.get_current().domain == "localhost"

    settings.SITE_DOMAIN = ""
    set_site_domain_on_migrate(_last_app_with_models(), using="default")
    assert Site.objects.get_current().domain == "localhost"
