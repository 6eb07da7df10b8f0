"""The project's URLs plus one test-only page. Used with
``@pytest.mark.urls("tests.encryption_app.urls")``; never installed elsewhere."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [
    path("test-only/person/<int:pk>/", views.person_detail, name="test_person_detail"),
    *project_urlpatterns,
]
