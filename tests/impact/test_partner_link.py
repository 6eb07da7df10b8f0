"""The partner's one-time link: signed by a random token of which only the
hash is kept, single use, expiring, replaced by a newer one, rate-limited,
and a closed link (used, expired, altered, guessed) answers exactly like
any other closed one."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from engagements.models import Engagement
from impact import services
from impact.models import FeedbackRequest, FollowUpAnswer, PartnerFeedback
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

ADDRESS = "partner.contact@agency.example.gov"


def _send(world, mailoutbox, capture, **kwargs):
    with capture(execute=True):
        link = services.feedback_link_send(
            engagement=world["engagement"], by=world["owner"], address=ADDRESS, **kwargs
        )
    message = mailoutbox[-1]
    url = re.search(r"https?://\S+/feedback/(\S+)/", message.body)
    assert url, message.body
    return link, url.group(1)


def _url(token):
    return reverse("partner_feedback:form", args=[token])


def _answer(contribution, **extra):
    return {
        "useful": "yes",
        "will_change": "We will allow video testimony.",
        f"follow_up_{contribution.pk}": "on",
        **extra,
    }


def test_the_partner_answers_once_without_an_account(
    world, contribution, mailoutbox, django_capture_on_commit_callbacks
):
    link, token = _send(world, mailoutbox, django_capture_on_commit_callbacks)
    assert mailoutbox[-1].to == [ADDRESS]
    assert world["engagement"].title not in mailoutbox[-1].subject
    client = Client()
    page = client.get(_url(token))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Let children testify by video" in html
    assert "Amihan" in html  # agreed to be quoted by pseudonym
    assert "Bayani" not in html  # did not
    for secret in (world["amihan"].legal_name, world["bayani"].legal_name, "Dalisay"):
        assert secret not in html
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]

    response = client.post(_url(token), _answer(contribution))
    assert response.status_code == 200
    feedback = PartnerFeedback.objects.get()
    assert feedback.engagement == world["engagement"]
    assert feedback.useful == "yes"
    assert list(FollowUpAnswer.objects.values_list("contribution_id", "may_follow_up")) == [
        (contribution.pk, True)
    ]
    link.refresh_from_db()
    assert link.used_at is not None

    # Replay: the same answers again, and the page again.
    assert client.post(_url(token), _answer(contribution)).status_code == 410
    assert client.get(_url(token)).status_code == 410
    assert PartnerFeedback.objects.count() == 1


def test_only_the_hash_is_kept_and_the_address_nowhere(
    world, contribution, mailoutbox, django_capture_on_commit_callbacks
):
    link, token = _send(world, mailoutbox, django_capture_on_commit_callbacks)
    link.refresh_from_db()
    assert token not in link.token_hash
    stored = str(list(FeedbackRequest.objects.values())) + str(
        list(LogEntry.objects.values("changes", "additional_data"))
    )
    assert ADDRESS not in stored
    assert token not in stored


def _normalised(response, token) -> str:
    """The page without what differs per request (the CSRF token) or echoes
    the request (its own address, in the language switcher's form)."""
    html = response.content.decode().replace(f"/feedback/{token}/", "/feedback/TOKEN/")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_closed_links_all_look_alike(
    world, contribution, mailoutbox, django_capture_on_commit_callbacks
):
    old, old_token = _send(world, mailoutbox, django_capture_on_commit_callbacks)
    link, token = _send(world, mailoutbox, django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.revoked_at is not None  # the newer link replaced it
    client = Client()
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = {}
    for name, candidate in [
        ("revoked", old_token),
        ("altered", altered),
        ("guessed", "x" * 43),
        ("empty-ish", "-"),
        ("long", "a" * 500),
    ]:
        response = client.get(_url(candidate))
        assert response.status_code == 410, name
        answers[name] = _normalised(response, candidate)
        assert client.post(_url(candidate), _answer(contribution)).status_code == 410
    FeedbackRequest.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = client.get(_url(token))
    assert expired.status_code == 410
    assert client.post(_url(token), _answer(contribution)).status_code == 410
    answers["expired"] = _normalised(expired, token)
    assert len(set(answers.values())) == 1  # nothing tells one from another
    assert not PartnerFeedback.objects.exists()


def test_opening_is_rate_limited(world, contribution):
    client = Client()
    statuses = [client.get(_url(f"guess{n}")).status_code for n in range(25)]
    assert statuses[:20] == [410] * 20
    assert 429 in statuses[20:]


def test_hostile_answers_are_refused_or_harmless(
    world, contribution, mailoutbox, django_capture_on_commit_callbacks
):
    _link, token = _send(world, mailoutbox, django_capture_on_commit_callbacks)
    client = Client()
    assert client.post(_url(token), {"useful": "maybe"}).status_code == 400
    assert client.post(_url(token), {"useful": "yes", "will_change": "x" * 2001}).status_code == 400
    assert not PartnerFeedback.objects.exists()
    response = client.post(
        _url(token),
        {
            "useful": "no",
            "will_change": "<script>alert(1)</script>",
            "follow_up_999999": "on",  # not a contribution of this engagement
        },
    )
    assert response.status_code == 200
    assert list(FollowUpAnswer.objects.values_list("contribution_id", "may_follow_up")) == [
        (contribution.pk, False)
    ]
    owner_page = client_for(world["owner"]).get(
        reverse("impact:engagement", args=[world["engagement"].pk])
    )
    assert "<script>alert(1)</script>" not in owner_page.content.decode()
    assert "&lt;script&gt;" in owner_page.content.decode()


def test_only_those_who_run_it_send_and_only_after_it_took_place(world, make_user, mailoutbox):
    with pytest.raises(PermissionDenied):
        services.feedback_link_send(
            engagement=world["engagement"], by=make_user(Role.FINANCE_OFFICER), address=ADDRESS
        )
    Engagement.objects.filter(pk=world["engagement"].pk).update(status=Engagement.Status.CONFIRMED)
    world["engagement"].refresh_from_db()
    with pytest.raises(ValidationError):
        services.feedback_link_send(
            engagement=world["engagement"], by=world["owner"], address=ADDRESS
        )
    assert not FeedbackRequest.objects.exists()


def test_the_send_page_refuses_a_bad_address_and_is_rate_limited(world):
    client = client_for(world["owner"])
    url = reverse("impact:feedback_link", args=[world["engagement"].pk])
    assert client.post(url, {"address": "not an address", "language": "en"}).status_code == 400
    assert client.post(url, {"address": ADDRESS, "language": "xx"}).status_code == 400
    statuses = [
        client.post(url, {"address": ADDRESS, "language": "en"}).status_code for _ in range(10)
    ]
    assert set(statuses) == {302, 429} and statuses[-1] == 429
    assert FeedbackRequest.objects.filter(used_at=None, revoked_at=None).count() == 1
