from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = _("Site pages")

    def ready(self):
        # The consultant's record as a PDF: it gathers every app's sections
        # (consultants.record) and goes through reports, which consultants
        # may not import; the top of the site may.
        from pages import record  # noqa: F401
