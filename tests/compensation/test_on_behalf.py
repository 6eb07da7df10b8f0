"""Time and expense claims recorded by staff on a consultant's behalf:
marked so and by whom, audited, seen in her portal, and never decided by
whoever recorded them (the service says why, the page says why with a
403, PostgreSQL refuses it whatever writes)."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compensation import services
from compensation.models import Decision, ExpenseClaim, PaymentLine, Receipt, TimeEntry
from tests.compensation.factories import JPEG, upload
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db

RECORDER = "You recorded this for the consultant, so someone else approves or declines it."


@pytest.fixture
def day(participation):
    return timezone.localtime(participation.engagement.start).date()


def _events(instance, event: str) -> list[LogEntry]:
    return [
        entry
        for entry in LogEntry.objects.get_for_object(instance)
        if (entry.additional_data or {}).get("event") == event
    ]


def test_staff_record_time_on_her_behalf_and_someone_else_approves(
    agreement, owner, manager_user, day
):
    participation = agreement.participation
    client = client_for(owner)
    url = reverse("compensation:record_time", args=[participation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "preparation", "date": day.isoformat(), "hours": "1.50", "note": "By phone"}
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get(participation=participation)
    assert entry.on_behalf and entry.entered_by_id == owner.pk
    assert entry.status == Decision.SUBMITTED
    assert [e.actor_id for e in _events(entry, "time_recorded_on_behalf")] == [owner.pk]

    # The approvals page marks it, and does not offer her the decision.
    page = client.get(reverse("compensation:approvals")).content.decode()
    assert "on the consultant's behalf" in page
    assert "You entered this; someone else approves it." in page

    # Sent anyway: 403, said plainly, nothing decided.
    decide = reverse("compensation:time_decide", args=[entry.pk])
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 403
    assert RECORDER in response.content.decode()
    response = client.post(decide, {"decision": "reject", "reason": "Oops"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == Decision.SUBMITTED and not PaymentLine.objects.filter(time_entry=entry)

    # Her portal says so.
    portal = client_for(participation.consultant.user).get(reverse("my_pay:time"))
    assert "Recorded by staff on your behalf" in portal.content.decode()

    # Someone else who runs the engagement approves it.
    response = client_for(manager_user).post(decide, {"decision": "approve"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == Decision.APPROVED and entry.decided_by_id == manager_user.pk
    assert PaymentLine.objects.filter(time_entry=entry).exists()


def test_staff_record_a_claim_with_its_receipt_and_cannot_approve_it(
    agreement, owner, manager_user, day
):
    participation = agreement.participation
    client = client_for(owner)
    response = client.post(
        reverse("compensation:record_claim", args=[participation.pk]),
        {
            "category": "other",
            "description": "Printing",
            "amount": "80.00",
            "incurred_on": day.isoformat(),
            "receipt": upload(JPEG, "maria-santos-receipt.jpg"),
        },
    )
    assert response.status_code == 302
    claim = ExpenseClaim.objects.get(participation=participation)
    assert claim.on_behalf and claim.submitted_by_id == owner.pk
    assert claim.receipts.count() == 1
    assert "maria" not in claim.receipts.get().file.name
    assert _events(claim, "claim_recorded_on_behalf")

    url = reverse("compensation:claim", args=[claim.pk])
    page = client.get(url).content.decode()
    assert "on the consultant's behalf" in page and RECORDER in page
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 403 and RECORDER in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Decision.SUBMITTED

    portal = client_for(participation.consultant.user)
    assert (
        "Recorded by staff on your behalf" in portal.get(reverse("my_pay:claims")).content.decode()
    )
    detail = portal.get(reverse("my_pay:claim", args=[claim.pk])).content.decode()
    assert "Recorded by staff on your behalf" in detail

    assert client_for(manager_user).post(url, {"decision": "approve"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Decision.APPROVED


def test_the_service_refuses_the_recorder_with_a_reason(agreement, owner, day):
    entry = services.time_entry_add(
        participation=agreement.participation,
        by=owner,
        kind="engagement",
        date=day,
        hours="2",
        on_behalf=True,
    )
    with pytest.raises(services.RecorderCannotDecide) as refused:
        services.time_entry_approve(entry=entry, by=owner)
    assert str(refused.value) == RECORDER
    with pytest.raises(services.RecorderCannotDecide):
        services.time_entry_reject(entry=entry, by=owner, reason="No")
    claim = services.claim_submit(
        participation=agreement.participation,
        by=owner,
        category="meal",
        description="Lunch",
        amount="100.00",
        incurred_on=day,
        receipts=[upload(JPEG)],
        on_behalf=True,
    )
    with pytest.raises(services.RecorderCannotDecide):
        services.claim_approve(claim=claim, by=owner)
    with pytest.raises(services.RecorderCannotDecide):
        services.claim_reject(claim=claim, by=owner, reason="No")


def test_postgresql_refuses_a_decision_by_the_recorder_whatever_writes(agreement, owner, day):
    entry = services.time_entry_add(
        participation=agreement.participation,
        by=owner,
        kind="engagement",
        date=day,
        hours="2",
        on_behalf=True,
    )
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.filter(pk=entry.pk).update(
            status=Decision.APPROVED, decided_by=owner, decided_at=now
        )
    claim = services.claim_submit(
        participation=agreement.participation,
        by=owner,
        category="meal",
        description="Lunch",
        amount="100.00",
        incurred_on=day,
        receipts=[upload(JPEG)],
        on_behalf=True,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseClaim.objects.filter(pk=claim.pk).update(
            status=Decision.REJECTED, decided_by=owner, decided_at=now
        )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({}, id="empty"),
        pytest.param({"kind": "sleeping", "date": "2020-01-01", "hours": "1"}, id="bad kind"),
        pytest.param({"kind": "travel", "date": "not a date", "hours": "1"}, id="bad date"),
        pytest.param({"kind": "travel", "date": "DAY", "hours": "25"}, id="over 24"),
        pytest.param({"kind": "travel", "date": "DAY", "hours": "-1"}, id="negative"),
        pytest.param({"kind": "travel", "date": "DAY", "hours": "1.005"}, id="three decimals"),
        pytest.param({"kind": "travel", "date": "DAY", "hours": "NaN"}, id="nan"),
        pytest.param(
            {"kind": "travel", "date": "DAY", "hours": "1", "note": "<script>" * 100},
            id="note too long",
        ),
    ],
)
def test_bad_time_changes_nothing(agreement, owner, day, data):
    data = {k: (day.isoformat() if v == "DAY" else v) for k, v in data.items()}
    response = client_for(owner).post(
        reverse("compensation:record_time", args=[agreement.participation.pk]), data
    )
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("receipt", "amount"),
    [
        pytest.param(b"MZ\x90\x00 not an image", "80.00", id="an executable as a receipt"),
        pytest.param(b"", "80.00", id="empty file"),
        pytest.param(None, "80.00", id="other without a receipt"),
        pytest.param(JPEG, "-5", id="negative amount"),
        pytest.param(JPEG, "1e400", id="huge amount"),
        pytest.param(JPEG, "1e3", id="exponent notation"),
        pytest.param(JPEG, "99999999999999", id="over the maximum"),
    ],
)
def test_bad_claims_change_nothing(agreement, owner, day, receipt, amount):
    data = {
        "category": "other",
        "description": "Printing",
        "amount": amount,
        "incurred_on": day.isoformat(),
    }
    if receipt is not None:
        data["receipt"] = upload(receipt, "receipt.jpg")
    response = client_for(owner).post(
        reverse("compensation:record_claim", args=[agreement.participation.pk]), data
    )
    assert response.status_code == 400
    assert not ExpenseClaim.objects.exists() and not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("99999999999999", "Please enter an amount in pesos from 0.01 to 999,999,999.99"),
        ("1e3", "Please write the amount in digits only, like 1000 or 1000.50 (not 1e3)."),
        ("1E+3", "Please write the amount in digits only"),
    ],
)
def test_a_wrong_amount_is_told_rightly(agreement, owner, day, amount, message):
    """Too large says the maximum (not "at least 0.01"); "1e3" is not ₱1,000."""
    data = {"category": "meal", "description": "Lunch", "amount": amount}
    data["incurred_on"] = day.isoformat()
    response = client_for(owner).post(
        reverse("compensation:record_claim", args=[agreement.participation.pk]), data
    )
    assert response.status_code == 400
    [error] = response.context["form"].errors["amount"]
    assert error.startswith(message)
    assert not ExpenseClaim.objects.exists()


def test_a_claim_dated_in_the_future_is_refused_next_to_its_date(agreement, owner):
    future = timezone.localdate() + datetime.timedelta(days=3)
    data = {
        "category": "meal",
        "description": "Lunch",
        "amount": "80.00",
        "incurred_on": future.isoformat(),
    }
    response = client_for(owner).post(
        reverse("compensation:record_claim", args=[agreement.participation.pk]), data
    )
    assert response.status_code == 400
    assert not response.context["form"].non_field_errors()
    assert response.context["form"].errors["incurred_on"] == ["This day has not come yet."]
    assert not ExpenseClaim.objects.exists()


def test_staff_who_do_not_run_the_engagement_cannot_record(
    agreement, make_user, finance_user, wellbeing_user, day
):
    participation = agreement.participation
    data = {"kind": "travel", "date": day.isoformat(), "hours": "1"}
    outsider = make_user(Role.PROGRAMME_STAFF)
    url = reverse("compensation:record_time", args=[participation.pk])
    assert client_for(outsider).post(url, data).status_code == 404
    assert client_for(finance_user).post(url, data).status_code == 403
    assert client_for(wellbeing_user).post(url, data).status_code == 403
    assert client_for(participation.consultant.user).post(url, data).status_code == 403
    assert (
        client_for(outsider).get(reverse("compensation:record_time", args=[999999])).status_code
        == 404
    )
    assert not TimeEntry.objects.exists()
    # The search lists only what the person runs.
    page = client_for(outsider).get(reverse("compensation:record"), {"q": ""}).content.decode()
    assert participation.consultant.pseudonym not in page


def test_the_search_finds_by_pseudonym_or_title_and_refuses_a_hostile_query(
    agreement, owner, make_consultant
):
    participation = agreement.participation
    other = ParticipationFactory(
        engagement=past_engagement(owner, title="Roundtable on schools"),
        consultant=make_consultant(pseudonym="Bituin"),
        status="attended",
        role="participant",
    )
    client = client_for(owner)
    url = reverse("compensation:record")
    page = client.get(url, {"q": participation.consultant.pseudonym}).content.decode()
    assert reverse("compensation:record_time", args=[participation.pk]) in page
    assert reverse("compensation:record_time", args=[other.pk]) not in page
    page = client.get(url, {"q": "schools"}).content.decode()
    assert reverse("compensation:record_time", args=[other.pk]) in page
    assert client.get(url, {"q": "x" * 500}).status_code == 400
    assert client.get(url, {"q": "' OR 1=1 --", "page": "-3"}).status_code == 200
