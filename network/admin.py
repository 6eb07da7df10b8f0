"""Admin pages of the survivor network. Each part of #18 keeps its own
section; lists name consultants by pseudonym only (``__str__``)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from network.models import AdvisoryReview

# --- Part 3: survivor leaders' advisory reviews ------------------------------------------
# Read-only: reviews are given in the leader's area (network.services.reviews),
# which pays and audits them; the admin shows, never writes.


@admin.register(AdvisoryReview)
class AdvisoryReviewAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "engagement", "leader", "recommendation", "submitted_at"]
    list_filter = ["recommendation"]
    list_select_related = ["engagement", "leader"]
    search_fields = ["engagement__title"]
    fields = ["engagement", "leader", "recommendation", "changes", "notes", "submitted_at"]
