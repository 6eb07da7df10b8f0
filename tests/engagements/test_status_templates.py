"""The engagement templates ask the model what a status means (its badge
tone, the consultant's words) and render, for every status, exactly what
they rendered when they compared status strings."""

import datetime

import pytest
from django.template.loader import render_to_string

from engagements.models import Engagement, Participation

E, P = Engagement.Status, Participation.Status

ENGAGEMENT_BADGES = {
    E.DRAFT: '<span class="badge">Draft</span>',
    E.SUBMITTED: '<span class="badge badge-warning">Submitted</span>',
    E.APPROVED: '<span class="badge badge-info">Approved</span>',
    E.DECLINED: '<span class="badge badge-danger">Declined</span>',
    E.STAFFING: '<span class="badge badge-info">Staffing</span>',
    E.CONFIRMED: '<span class="badge badge-success">Confirmed</span>',
    E.COMPLETED: '<span class="badge badge-success">Completed</span>',
    E.CLOSED: '<span class="badge">Closed</span>',
    E.CANCELLED: '<span class="badge badge-danger">Cancelled</span>',
}

PARTICIPATION_BADGES = {
    P.INVITED: '<span class="badge badge-warning">Invited</span>',
    P.ACCEPTED: '<span class="badge badge-info">Accepted</span>',
    P.DECLINED: '<span class="badge badge-danger">Declined</span>',
    P.REVOKED: '<span class="badge badge-danger">Invitation withdrawn</span>',
    P.WITHDRAWN: '<span class="badge badge-danger">Stepped back</span>',
    P.CONFIRMED: '<span class="badge badge-success">Confirmed</span>',
    P.ATTENDED: '<span class="badge badge-success">Attended</span>',
    P.NO_SHOW: '<span class="badge badge-danger">Did not attend</span>',
    P.CANCELLED: '<span class="badge">Engagement cancelled</span>',
    P.FULL: '<span class="badge">Closed: now full</span>',
}

# (status, has_feedback): what the consultant reads in a portal list.
PORTAL_WORDS = {
    (P.INVITED, False): "waiting for your answer",
    (P.ACCEPTED, False): "you said yes; the team will confirm",
    (P.DECLINED, False): "declined",
    (P.REVOKED, False): "invitation withdrawn",
    (P.WITHDRAWN, False): "you stepped back",
    (P.CONFIRMED, False): "confirmed",
    (P.ATTENDED, True): "you took part",
    (P.ATTENDED, False): "you took part · tell us how it went",
    (P.NO_SHOW, False): "did not attend",
    (P.CANCELLED, False): "engagement cancelled",
    (P.FULL, False): "now full; thank you for being ready to help",
}


def test_every_status_is_covered():
    assert set(ENGAGEMENT_BADGES) == set(E) == set(Engagement.BADGE_TONES)
    assert set(PARTICIPATION_BADGES) == set(P) == set(Participation.BADGE_TONES)
    assert {status for status, _ in PORTAL_WORDS} == set(P)


@pytest.mark.parametrize("status", list(E))
def test_engagement_badge(status):
    html = render_to_string(
        "engagements/staff/_status_badge.html", {"engagement": Engagement(status=status)}
    )
    assert html == ENGAGEMENT_BADGES[status] + "\n"


@pytest.mark.parametrize("status", list(P))
def test_participation_badge(status):
    html = render_to_string(
        "engagements/staff/_participation_badge.html", {"p": Participation(status=status)}
    )
    assert html == PARTICIPATION_BADGES[status] + "\n"


@pytest.mark.parametrize(("status", "has_feedback"), list(PORTAL_WORDS))
def test_portal_item_says_where_the_consultant_stands(status, has_feedback):
    start = datetime.datetime(2025, 3, 4, 1, 30, tzinfo=datetime.UTC)  # Tue 09:30 in Manila
    engagement = Engagement(title="Listening session", start=start, mode="online")
    participation = Participation(pk=7, engagement=engagement, status=status)
    participation.has_feedback = has_feedback
    html = render_to_string("engagements/portal/_item.html", {"p": participation})
    assert html == (
        '<li><a href="/portal/engagements/7/"><span class="action-title">Listening session'
        '</span><span class="action-detail">Tue 4 Mar, 09:30 · Online · '
        f"{PORTAL_WORDS[status, has_feedback]}</span></a></li>\n"
    )


def test_portal_summary_without_the_annotation_asks_for_feedback():
    assert str(Participation(status=P.ATTENDED).portal_summary) == (
        "you took part · tell us how it went"
    )
