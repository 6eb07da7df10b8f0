"""Core's pages under /staff/: the search endpoint of ``core.search``."""

from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("<slug:source>/", views.search_choices, name="search_choices"),
]
