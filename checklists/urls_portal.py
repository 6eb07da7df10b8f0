"""The consultant's own checklist items (mounted at /portal/checklist/). No
consultant id in any URL; an item that is not theirs is a 404. A new URL
here needs its row in tests/checklists/test_portal_permission_matrix.py."""

from django.urls import path

from checklists.views import portal as views

app_name = "my_checklist"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.item, name="item"),
]
