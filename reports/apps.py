from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from core import audit
        from reports.models import ReportJob

        # Status changes are history worth keeping; progress ticks are not.
        audit.register(ReportJob, exclude_fields=["progress", "progress_message"])

        # The kinds this app owns. Other apps register theirs the same way,
        # from their own ready(), so reports never imports them.
        from reports.kinds import access_log  # noqa: F401
