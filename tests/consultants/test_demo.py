import pytest

from accounts import demo as accounts_demo
from consultants import access, demo
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentText,
    Consultant,
    StatusChange,
    WeeklyAvailability,
    WellbeingNote,
)

pytestmark = pytest.mark.django_db

TABLES = [
    Consultant,
    StatusChange,
    WeeklyAvailability,
    BusyPeriod,
    ConsentText,
    ConsentRecord,
    WellbeingNote,
]


def _counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_demo_seed_is_varied_and_adds_nothing_the_second_time():
    from accounts.models import User

    accounts_demo.seed()
    created = demo.seed()
    assert len(created) == 12
    first = _counts()

    assert demo.seed() == []
    assert _counts() == first

    statuses = set(Consultant.objects.values_list("status", flat=True))
    assert statuses == {"onboarding", "active", "on_break", "alumni"}
    amihan = Consultant.objects.get(pseudonym="Amihan")
    consultant_user = accounts_demo.demo_user("consultant@example.org")
    assert consultant_user.is_sealed
    assert access.consultant_of(consultant_user) == amihan
    lead = User.objects.get(email="wellbeing@example.org")
    assert access.can_read_wellbeing(lead, amihan)
    assert not access.can_read_wellbeing(lead, Consultant.objects.get(pseudonym="Bituin"))
    assert ConsentRecord.objects.filter(action="withdrawn").exists()
    assert ConsentRecord.objects.exclude(evidence="").count() == 1
    for consultant in Consultant.objects.all():
        assert consultant.legal_name.startswith("Demo Person")
        assert consultant.email.endswith("@example.org")


def test_demo_needs_the_demo_sign_ins_first():
    with pytest.raises(RuntimeError):
        demo.seed()
