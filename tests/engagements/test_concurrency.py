"""No double booking under concurrency: real threads, each with its own
PostgreSQL connection, committing for real (transaction=True)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from engagements import services
from engagements.models import Engagement, Participation
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at

pytestmark = pytest.mark.django_db(transaction=True)
P = Participation.Status


def _in_threads(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.fixture
def two_overlapping_invitations(own_consultant, owner):
    first = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    second = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        start=at(MONDAY, 11),
        end=at(MONDAY, 13),
    )
    return [
        ParticipationFactory(engagement=engagement, consultant=own_consultant)
        for engagement in (first, second)
    ]


def test_two_concurrent_accepts_of_overlapping_engagements_one_wins(
    two_overlapping_invitations, consultant_user
):
    barrier = threading.Barrier(2)
    results = []

    def accept(pk):
        def run():
            try:
                user = User.objects.get(pk=consultant_user.pk)
                participation = Participation.objects.get(pk=pk)
                barrier.wait(timeout=30)
                services.participation_accept(participation=participation, by=user)
                results.append("accepted")
            except services.DoubleBooking:
                results.append("double booking")
            except Exception as error:
                results.append(repr(error))
            finally:
                connection.close()

        return run

    _in_threads(*(accept(p.pk) for p in two_overlapping_invitations))
    assert sorted(results) == ["accepted", "double booking"]
    assert Participation.objects.filter(status=P.ACCEPTED).count() == 1
    assert Participation.objects.filter(status=P.INVITED).count() == 1


def test_the_exclusion_constraint_alone_stops_a_race(two_overlapping_invitations):
    """Both writes pass any check made before them: the second transaction
    waits on the first and fails when it commits."""
    first, second = two_overlapping_invitations
    first_written, release = threading.Event(), threading.Event()
    outcome = {}

    def writer_one():
        try:
            with transaction.atomic():
                Participation.objects.filter(pk=first.pk).update(status=P.ACCEPTED)
                first_written.set()
                release.wait(timeout=30)
            outcome["one"] = "committed"
        finally:
            connection.close()

    def writer_two():
        try:
            first_written.wait(timeout=30)
            with transaction.atomic():
                Participation.objects.filter(pk=second.pk).update(status=P.ACCEPTED)
            outcome["two"] = "committed"
        except IntegrityError:
            outcome["two"] = "refused"
        finally:
            connection.close()

    def referee():
        # Let the first commit only once the second is waiting on its lock.
        first_written.wait(timeout=30)
        for _ in range(3000):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
            threading.Event().wait(0.01)
        release.set()
        connection.close()

    _in_threads(writer_one, writer_two, referee)
    assert outcome == {"one": "committed", "two": "refused"}


def test_two_tabs_confirming_the_same_person(two_overlapping_invitations, owner):
    participation = two_overlapping_invitations[0]
    Participation.objects.filter(pk=participation.pk).update(status=P.ACCEPTED)
    barrier = threading.Barrier(2)
    results = []

    def confirm():
        try:
            user = User.objects.get(pk=owner.pk)
            target = Participation.objects.get(pk=participation.pk)
            barrier.wait(timeout=30)
            services.participation_confirm(participation=target, by=user)
            results.append("confirmed")
        except services.ParticipationStateError as error:
            results.append(error.code)
        finally:
            connection.close()

    _in_threads(confirm, confirm)
    assert sorted(results) == ["already_confirmed", "confirmed"]
    assert participation.changes.filter(to_status=P.CONFIRMED).count() == 1
