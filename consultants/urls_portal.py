"""The consultant's own pages in the portal (mounted at /portal/me/).

No consultant id anywhere: every page is the signed-in consultant's own
record (consultants.views.portal). A new URL here needs its row in
tests/consultants/test_portal_permission_matrix.py.
"""

from django.urls import path

from consultants.views import portal

app_name = "my"

urlpatterns = [
    path("", portal.index, name="index"),
    path("details/", portal.details, name="details"),
    path("details/change/", portal.details_edit, name="details_edit"),
    path("availability/", portal.availability, name="availability"),
    path("availability/times/add/", portal.window_add, name="window_add"),
    path("availability/times/<int:pk>/remove/", portal.window_remove, name="window_remove"),
    path("availability/busy/add/", portal.busy_add, name="busy_add"),
    path("availability/busy/<int:pk>/remove/", portal.busy_remove, name="busy_remove"),
    path("availability/break/", portal.take_break, name="break"),
    path("availability/break/end/", portal.end_break, name="break_end"),
    path("consent/", portal.consent, name="consent"),
    path("consent/<slug:scope>/withdraw/", portal.consent_withdraw, name="consent_withdraw"),
    path("consent/<slug:scope>/give/", portal.consent_grant, name="consent_grant"),
    path("story-sharing/", portal.story_sharing, name="story_sharing"),
    path("privacy/", portal.privacy, name="privacy"),
    path("peers/", portal.peers, name="peers"),
    path("my-record/", portal.record, name="record"),
    path("my-record/read/", portal.record_read, name="record_read"),
]
