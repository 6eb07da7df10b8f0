"""Admin building blocks every app's admin uses, and the backups' own page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.backups.services import backup_state
from core.encryption import encrypted_field_names
from core.models import BackupRecord


class EncryptedFieldsOnlyOnAddMixin:
    """Leaves encrypted fields out of the change form of an existing object:
    showing them would be a reveal without a reason or an audit entry."""

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        if obj is not None:
            exclude += encrypted_field_names(self.model)  # type: ignore[attr-defined]
        return exclude

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        if obj is None:
            return fields
        hidden = set(encrypted_field_names(self.model))  # type: ignore[attr-defined]
        return [field for field in fields if field not in hidden]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History that only services write: viewable, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnlyAdmin):
    """Each backup: when, whether good, how large, its checksum. Written by
    `manage.py backup` and the daily schedule only; the list says how old
    the last good one is."""

    list_display = [
        "started_at",
        "finished_at",
        "status",
        "trigger",
        "name",
        "size_shown",
        "short_checksum",
        "deleted_at",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "started_at"

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def size_shown(self, record):
        return filesizeformat(record.size) if record.size is not None else "—"

    @admin.display(description=gettext_lazy("checksum"))
    def short_checksum(self, record):
        return record.checksum[:12] if record.checksum else "—"

    def changelist_view(self, request, extra_context=None):
        now = timezone.now()
        state = backup_state(now=now)
        if state.last_good is None or state.last_good.finished_at is None:
            messages.warning(
                request,
                _(
                    "There is no good backup yet. Run “manage.py backup”, and check that "
                    "the worker and beat are running (docs/OPERATIONS.md)."
                ),
            )
        else:
            age = timesince(state.last_good.finished_at, now)
            if state.state == "stale":
                messages.warning(
                    request,
                    _(
                        "The last good backup is %(age)s old, older than %(hours)s hours. "
                        "Read the error of the failed backups below, and check that the "
                        "worker and beat are running."
                    )
                    % {"age": age, "hours": settings.BACKUP_MAX_AGE_HOURS},
                )
            else:
                messages.info(request, _("The last good backup is %(age)s old.") % {"age": age})
        return super().changelist_view(request, extra_context)
