"""Staff pages for checklists (mounted at /staff/checklists/). A new URL
here needs its row in tests/checklists/test_staff_permission_matrix.py."""

from django.urls import path

from checklists.views import staff as views

app_name = "checklists"

urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("compliance/", views.compliance, name="compliance"),
    path("handover/", views.handover, name="handover"),
    path("engagements/<int:engagement_pk>/", views.engagement_checklist, name="engagement"),
    path("items/<int:pk>/done/", views.item_done, name="item_done"),
    path("items/<int:pk>/not-applicable/", views.item_not_applicable, name="item_not_applicable"),
    path("items/<int:pk>/reopen/", views.item_reopen, name="item_reopen"),
    path("items/<int:pk>/reassign/", views.item_reassign, name="item_reassign"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
]
