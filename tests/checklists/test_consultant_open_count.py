"""The portal home's "things to tick": a consultant's open items, one query."""

import pytest

from accounts.roles import Role, roles_of
from checklists import selectors, services
from checklists.models import ChecklistItem
from engagements.models import Engagement, Participation
from tests.engagements.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


def _join(engagement, consultant):
    ParticipationFactory(
        engagement=engagement, consultant=consultant, status=Participation.Status.ACCEPTED
    )
    services.checklist_add_consultant(engagement=engagement, consultant=consultant)


def test_counts_her_open_items_only(internal_online, make_consultant, make_user, owner):
    user = make_user(Role.CONSULTANT)
    consultant = make_consultant(user=user)
    other = make_consultant(user=make_user(Role.CONSULTANT))
    _join(internal_online, consultant)
    _join(internal_online, other)
    mine = ChecklistItem.objects.filter(consultant=consultant)
    total = mine.count()
    assert total >= 1
    assert selectors.consultant_open_count(user=user) == total

    services.item_mark_done(item=mine.get(key="read-brief"), by=user, note="")
    assert selectors.consultant_open_count(user=user) == total - 1

    # A cancelled engagement asks nothing more of her.
    Engagement.objects.filter(pk=internal_online.pk).update(status=Engagement.Status.CANCELLED)
    assert selectors.consultant_open_count(user=user) == 0
    # Staff and others: nothing.
    assert selectors.consultant_open_count(user=owner) == 0


def test_one_query(internal_online, make_consultant, make_user, django_assert_num_queries):
    user = make_user(Role.CONSULTANT)
    _join(internal_online, make_consultant(user=user))
    roles_of(user)  # the roles are read once per request, before
    with django_assert_num_queries(1):
        selectors.consultant_open_count(user=user)
