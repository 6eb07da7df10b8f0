"""The admin page of advisory reviews: read-only (the leader's area writes
them, pays and audits), the leader by pseudonym only, administrators only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from network.models import AdvisoryReview
from network.services.reviews import review_give
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_reviews_read_only(lead_leader, media_request, admin_user, rf):
    user, leadership = lead_leader
    review = review_give(
        engagement=media_request, by=user, recommendation="with_changes", changes="Blur faces."
    )
    client = client_for(admin_user)
    for url in (
        reverse("admin:network_advisoryreview_changelist"),
        reverse("admin:network_advisoryreview_change", args=[review.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert leadership.consultant.legal_name not in html
        assert leadership.consultant.email not in html
    model_admin = admin.site._registry[AdvisoryReview]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, review)
    assert not model_admin.has_delete_permission(request, review)


def test_non_administrators_cannot_open_it(manager_user, lead_leader):
    for user in (manager_user, lead_leader[0]):
        response = client_for(user).get(reverse("admin:network_advisoryreview_changelist"))
        assert response.status_code in (302, 403)
