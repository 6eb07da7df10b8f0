"""The consultant's pay in the portal (mounted at /portal/pay/).

No consultant id in any URL: every record is looked up within the
signed-in consultant's own (404 otherwise). A new URL here needs its row
in tests/compensation/test_portal_permission_matrix.py.
"""

from django.urls import path

from compensation.views import portal

app_name = "my_pay"

urlpatterns = [
    path("", portal.index, name="index"),
    path("agreements/<int:pk>/", portal.agreement, name="agreement"),
    path("agreements/<int:pk>/acknowledge/", portal.acknowledge, name="acknowledge"),
    path("time/", portal.time_entries, name="time"),
    path("time/add/", portal.time_add, name="time_add"),
    path("claims/", portal.claims, name="claims"),
    path("claims/add/", portal.claim_add, name="claim_add"),
    path("claims/<int:pk>/", portal.claim_detail, name="claim"),
    path("receipts/<int:pk>/", portal.receipt, name="receipt"),
    path("payments/", portal.payments, name="payments"),
    path("statements/", portal.statements, name="statements"),
]
