"""The site's domain, from ``SITE_DOMAIN``, after every ``migrate``.

Every absolute link Tinig sends (invitations, sign-in codes, reminders) is
built by allauth from the current ``Site``'s domain and
``ACCOUNT_DEFAULT_HTTP_PROTOCOL``. Migration ``core/0002`` names the site
"Tinig" on ``localhost``; production sets ``SITE_DOMAIN`` (by default the
first host of ``ALLOWED_HOSTS``) and https, and this handler writes the
domain at the end of each migrate, so the first administrator's invitation
(``manage.py invite_staff``) already links to the real host. Empty (the
development and test default): the site is left as it is.
"""

from __future__ import annotations


def set_site_domain_on_migrate(sender, *, using: str, **kwargs) -> None:
    from django.apps import apps
    from django.conf import settings
    from django.contrib.sites.models import Site

    domain = getattr(settings, "SITE_DOMAIN", "")
    # Sent once per app with models; the last one ends the migrate.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if not domain or not with_models or sender.label != with_models[-1].label:
        return
    site, created = Site.objects.using(using).get_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Tinig"}
    )
    if not created and site.domain != domain:
        site.domain = domain
        site.save(using=using, update_fields=["domain"])
    Site.objects.clear_cache()
