"""Her growth page (mounted at /portal/growth/). A new URL here needs its
row in tests/network/test_growth_permission_matrix.py."""

from django.urls import path

from network.views import growth_portal as views

app_name = "my_growth"

urlpatterns = [
    path("", views.index, name="index"),
    path("reflections/new/", views.reflection_add, name="reflection_add"),
    path("reflections/<int:pk>/edit/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<int:pk>/delete/", views.reflection_delete, name="reflection_delete"),
]
