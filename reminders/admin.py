"""Admin for reminders. Deliveries are read-only here (the services write
them); no body, subject or address exists to show."""

from django.contrib import admin

from reminders.models import (
    ConsultantReminderPreference,
    ReminderDelivery,
    ReminderSetting,
    StaffReminderPreference,
)


@admin.register(ReminderSetting)
class ReminderSettingAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "offsets", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "consultant", "user", "due_at", "status", "reason", "attempts"]
    list_filter = ["status", "kind", "reason"]
    list_select_related = ["consultant", "user"]
    date_hierarchy = "due_at"
    search_fields = ["consultant__pseudonym"]
    raw_id_fields = ["consultant", "user"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsultantReminderPreference)
class ConsultantReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["consultant", "kind", "channel", "updated_at"]
    list_filter = ["kind", "channel"]
    list_select_related = ["consultant"]
    search_fields = ["consultant__pseudonym"]
    raw_id_fields = ["consultant"]


@admin.register(StaffReminderPreference)
class StaffReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest", "updated_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
