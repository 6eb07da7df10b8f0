"""Capacity: acceptances stop at the number of consultants wanted; the
invitations still open then close ("now full") and their reminders stop;
someone stepping back makes the engagement need people again, without
reopening what closed. The race is tested with real threads, each with its
own PostgreSQL connection (test_three_accept_at_once_for_two_places)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from engagements import capacity, selectors, services, workflow
from engagements.models import Engagement, Participation
from reminders import kinds as reminder_kinds
from reminders.models import ReminderDelivery
from reminders.registry import Skip
from tests.accounts.factories import UserFactory
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for

S = Engagement.Status
P = Participation.Status
FULL = "This one is now full. Thank you for being ready to help."


def _three_invited(owner, *, wanted=2):
    engagement = EngagementFactory(
        owner=owner, status=S.STAFFING, consultants_wanted=wanted, title="Secret title"
    )
    people = []
    for name in ("Ana", "Bea", "Cora"):
        user = UserFactory(role=Role.CONSULTANT)
        consultant = ConsultantFactory(pseudonym=name, user=user)
        people.append((user, ParticipationFactory(engagement=engagement, consultant=consultant)))
    return engagement, people


# --- One at a time -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_last_place_taken_closes_the_open_invitations(owner):
    engagement, people = _three_invited(owner)
    (ana_user, ana), (bea_user, bea), (cora_user, cora) = people

    services.participation_accept(participation=ana, by=ana_user)
    cora.refresh_from_db()
    assert cora.status == P.INVITED  # one place left: still asked
    services.participation_accept(participation=bea, by=bea_user)

    cora.refresh_from_db()
    assert cora.status == P.FULL
    change = cora.changes.order_by("at", "id").last()
    assert (change.from_status, change.to_status, change.by) == (P.INVITED, P.FULL, None)
    assert capacity.is_full(engagement)

    with pytest.raises(services.ParticipationStateError) as refused:
        services.participation_accept(participation=cora, by=cora_user)
    assert refused.value.code == "full"
    assert refused.value.messages == [FULL]
    cora.refresh_from_db()
    assert cora.status == P.FULL


@pytest.mark.django_db
def test_an_accept_beyond_capacity_is_refused_even_if_an_invitation_stayed_open(owner):
    """Fewer places wanted after the invitations went out: the count decides."""
    engagement, people = _three_invited(owner, wanted=3)
    (ana_user, ana), (bea_user, bea), _cora = people
    services.participation_accept(participation=ana, by=ana_user)
    Engagement.objects.filter(pk=engagement.pk).update(consultants_wanted=1)

    with pytest.raises(services.ParticipationStateError) as refused:
        services.participation_accept(participation=bea, by=bea_user)
    assert (refused.value.code, refused.value.messages) == ("full", [FULL])
    bea.refresh_from_db()
    assert bea.status == P.INVITED  # nothing lost; staff may raise the number again


@pytest.mark.django_db
def test_her_invitation_page_says_it_is_full_kindly_and_offers_nothing(owner):
    _engagement, people = _three_invited(owner)
    for user, participation in people[:2]:
        services.participation_accept(participation=participation, by=user)
    cora_user, cora = people[2]
    client = client_for(cora_user)

    page = client.get(reverse("my_engagements:detail", args=[cora.pk])).content.decode()
    assert FULL in page
    assert reverse("my_engagements:accept", args=[cora.pk]) not in page
    assert reverse("my_engagements:rejoin", args=[cora.pk]) not in page  # no place free
    # Not among the invitations waiting any more.
    assert not selectors.consultant_invitations(consultant=cora.consultant).exists()

    response = client.post(reverse("my_engagements:accept", args=[cora.pk]))
    assert response.status_code == 400
    assert FULL in response.content.decode()


@pytest.mark.django_db
def test_staff_may_not_invite_beyond_the_number_wanted(owner, make_consultant):
    engagement, people = _three_invited(owner, wanted=1)
    user, participation = people[0]
    services.participation_accept(participation=participation, by=user)
    action = workflow.invite_action(engagement=engagement, user=owner)
    assert not action.allowed and "raise the number wanted" in action.reason
    with pytest.raises(services.ParticipationStateError) as refused:
        services.participation_invite(
            engagement=engagement, consultant=make_consultant(), role="participant", by=owner
        )
    assert refused.value.code == "full"
    page = client_for(owner).get(reverse("engagements:matching", args=[engagement.pk]))
    assert "raise the number wanted" in page.content.decode()


@pytest.mark.django_db
def test_reminders_of_a_closed_invitation_stop(owner):
    engagement, people = _three_invited(owner)
    cora = people[2][1]
    waiting = ReminderDelivery.objects.create(
        kind="invitation_waiting",
        target_type="engagements.participation",
        target_id=cora.pk,
        consultant=cora.consultant,
        due_at=cora.invited_at,
        send_after=cora.invited_at,
        engagement_id=engagement.pk,
    )
    for user, participation in people[:2]:
        services.participation_accept(participation=participation, by=user)

    verdict = reminder_kinds._prepare_invitation_waiting(waiting, now=cora.invited_at)
    assert verdict == Skip(ReminderDelivery.Reason.FULL)


@pytest.mark.django_db
def test_stepping_back_makes_it_need_people_again_without_reopening_what_closed(owner):
    engagement, people = _three_invited(owner)
    (ana_user, ana), (bea_user, bea), (cora_user, cora) = people
    services.participation_accept(participation=ana, by=ana_user)
    services.participation_accept(participation=bea, by=bea_user)
    assert not selectors.engagement_detail(engagement=engagement).needs_people_again

    services.participation_withdraw(participation=bea, by=bea_user)

    detail = selectors.engagement_detail(engagement=engagement)
    assert detail.needs_people_again and detail.places_taken == 1
    cora.refresh_from_db()
    assert cora.status == P.FULL  # not reopened by itself
    # ... but she may come back herself, now that a place is free.
    assert workflow.participation_action(participation=cora, name="rejoin", user=cora_user).allowed
    services.participation_rejoin(participation=cora, by=cora_user)
    cora.refresh_from_db()
    assert cora.status == P.ACCEPTED
    assert not selectors.engagement_detail(engagement=engagement).needs_people_again


# --- At once -------------------------------------------------------------------------------------


def _in_threads(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.django_db(transaction=True)
def test_three_accept_at_once_for_two_places(owner):
    engagement, people = _three_invited(owner)
    barrier = threading.Barrier(3)
    results = {}

    def accept(user_pk, participation_pk):
        def run():
            try:
                user = User.objects.get(pk=user_pk)
                participation = Participation.objects.get(pk=participation_pk)
                barrier.wait(timeout=30)
                services.participation_accept(participation=participation, by=user)
                results[participation_pk] = "accepted"
            except services.ParticipationStateError as error:
                results[participation_pk] = (error.code, error.messages)
            except Exception as error:  # pragma: no cover - reported below
                results[participation_pk] = repr(error)
            finally:
                connection.close()

        return run

    _in_threads(*(accept(user.pk, p.pk) for user, p in people))

    outcomes = sorted(results.values(), key=str)
    assert outcomes.count("accepted") == 2, results
    assert ("full", [FULL]) in outcomes, results
    statuses = sorted(Participation.objects.filter(engagement=engagement).values_list("status"))
    assert statuses == [(P.ACCEPTED,), (P.ACCEPTED,), (P.FULL,)]
    assert capacity.places_taken(engagement) == 2
