"""Admin of the survivor network. Each part of issue #18 keeps its own
section. Consultants are shown by pseudonym only (``__str__``); what
carries money or roles (attendance, leaderships) is written by the
services and read-only here."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from network.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Leadership,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
    PeerCircle,
)

# --- Parts 2 and 4: peer circles, the network itself, what it led ----------------------


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "leaders_need_mfa", "review_fee", "circle_allowance"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Leadership)
class LeadershipAdmin(ReadOnlyAdmin):
    """Named and ended on the network's page (the role follows the rows)."""

    list_display = ["__str__", "since", "until"]
    list_select_related = ["consultant", "network"]
    fields = ["network", "consultant", "since", "until", "named_by", "ended_by"]


@admin.register(PeerCircle)
class PeerCircleAdmin(admin.ModelAdmin):
    list_display = ["name", "network", "paid", "started_on", "ended_on"]
    list_filter = ["paid"]
    search_fields = ["name"]
    raw_id_fields = ["facilitator", "co_facilitator", "staff_contact"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CircleMembership)
class CircleMembershipAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "joined_on", "left_on"]
    list_select_related = ["consultant", "circle"]
    fields = ["circle", "consultant", "joined_on", "left_on"]


@admin.register(CircleMeeting)
class CircleMeetingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "mode", "cancelled_at"]
    list_select_related = ["circle"]
    fields = ["circle", "starts_at", "mode", "cancelled_at", "created_by", "created_at"]


@admin.register(CircleAttendance)
class CircleAttendanceAdmin(ReadOnlyAdmin):
    """Marked on the circle's attendance page, which writes the payment line."""

    list_display = ["__str__", "present", "allowance", "marked_at"]
    list_select_related = ["consultant", "meeting__circle"]
    fields = ["meeting", "consultant", "present", "allowance", "marked_by", "marked_at"]


@admin.register(NetworkLedEngagement)
class NetworkLedEngagementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "network", "marked_at"]
    list_select_related = ["engagement", "network"]
    fields = ["network", "engagement", "marked_by", "marked_at"]


@admin.register(NetworkLedWork)
class NetworkLedWorkAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "network", "marked_at"]
    list_select_related = ["work", "network"]
    fields = ["network", "work", "marked_by", "marked_at"]
