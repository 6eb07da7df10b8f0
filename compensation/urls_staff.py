"""Staff pages of compensation (mounted at /staff/compensation/).

A new URL here needs its row in tests/compensation/test_staff_permission_matrix.py.
"""

from django.urls import path

from compensation.views import desk
from compensation.views import staff as views

app_name = "compensation"

urlpatterns = [
    path("", views.index, name="index"),
    # Finance
    path("queue/", views.queue, name="queue"),
    path("queue/<int:consultant_pk>/group/", views.group, name="group"),  # GET: pick the lines
    path("queue/<int:consultant_pk>/adjust/", views.adjust, name="adjust"),
    path("payments/", views.payments, name="payments"),
    path("payments/<int:pk>/", views.payment_detail, name="payment"),
    path("payments/<int:pk>/approve/", views.payment_approve, name="payment_approve"),
    path("payments/<int:pk>/undo/", views.payment_discard, name="payment_discard"),
    path("payments/<int:pk>/paid/", views.payment_paid, name="payment_paid"),
    path("payments/<int:pk>/reveal/", views.payment_reveal, name="payment_reveal"),
    path("payments/export/", views.export, name="export"),
    path("overdue/", views.overdue, name="overdue"),
    path("totals/", views.totals, name="totals"),
    # Approvals by the staff who run the engagement
    path("approvals/", views.approvals, name="approvals"),
    path("time/<int:pk>/decide/", views.time_decide, name="time_decide"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
    # Recorded on a consultant's behalf by the staff who run the engagement
    path("record/", views.record, name="record"),
    path("record/<int:participation_pk>/time/", views.record_time, name="record_time"),
    path("record/<int:participation_pk>/claim/", views.record_claim, name="record_claim"),
    # Finance desk (compensation.views.desk): rates, allowance policy, agreements
    path("desk/rates/", desk.rates, name="desk_rates"),
    path("desk/rates/add/", desk.rate_add, name="desk_rate_add"),
    path("desk/rates/<int:pk>/change/", desk.rate_edit, name="desk_rate_edit"),
    path("desk/rates/<int:pk>/end/", desk.rate_end, name="desk_rate_end"),
    path("desk/rates/<int:pk>/remove/", desk.rate_remove, name="desk_rate_remove"),
    path("desk/allowances/", desk.allowances, name="desk_allowances"),
    path("desk/allowances/add/", desk.allowance_add, name="desk_allowance_add"),
    path("desk/allowances/<int:pk>/change/", desk.allowance_edit, name="desk_allowance_edit"),
    path("desk/allowances/<int:pk>/end/", desk.allowance_end, name="desk_allowance_end"),
    path("desk/allowances/<int:pk>/remove/", desk.allowance_remove, name="desk_allowance_remove"),
    path("desk/agreements/", desk.agreements, name="desk_agreements"),
    path("desk/agreements/<int:participation_pk>/", desk.agreement, name="desk_agreement"),
]
