"""Read-only admin for report jobs: status and timing for support, nothing else.

No add, change or delete (a job's file is deleted by its retention, not
by hand), and never the file: not its link, not its name.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "kind",
        "requested_by",
        "status",
        "progress",
        "created_at",
        "finished_at",
        "expires_at",
    )
    list_filter = ("status", "kind", "created_at")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "id",
        "kind",
        "params",
        "language",
        "requested_by",
        "status",
        "progress",
        "progress_message",
        "failure_message",
        "has_file",
        "created_at",
        "started_at",
        "finished_at",
        "expires_at",
    )
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("reference"))
    def reference(self, job):
        return job.reference

    @admin.display(description=_("file stored"), boolean=True)
    def has_file(self, job):
        return bool(job.file)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
