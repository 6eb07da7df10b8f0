"""Her choices about peers (/portal/me/peers/, issue #18): two plain
switches, off until she turns them on, saved with a message and audited;
only her own; bad and hostile input changes nothing of anyone else's."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.roles import Role
from consultants.models import Consultant
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
URL = "/portal/me/peers/"


@pytest.fixture
def tala(consultant_user):
    return ConsultantFactory(pseudonym="Tala", user=consultant_user)


def _events(consultant):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Consultant),
        object_id=consultant.pk,
        additional_data__event="peer_choices_set",
    )


def test_the_url_is_the_one_named():
    assert reverse("my:peers") == URL


def test_both_are_off_until_she_turns_them_on(tala):
    page = client_for(tala.user).get(URL).content.decode()
    assert 'name="visible_to_peers"' in page and 'name="prefers_peer"' in page
    assert "checked" not in page
    assert "Other consultants on the same engagement may see my pseudonym" in page
    assert "I would rather go with a peer" in page


def test_she_turns_them_on_and_off_with_a_message_and_an_audit_entry(tala):
    client = client_for(tala.user)

    response = client.post(URL, {"visible_to_peers": "on", "prefers_peer": "on"}, follow=True)

    tala.refresh_from_db()
    assert (tala.visible_to_peers, tala.prefers_peer) == (True, True)
    assert response.redirect_chain[-1][0] == reverse("my:index")
    assert "Your choices are saved." in response.content.decode()
    entry = _events(tala).get()
    assert entry.actor == tala.user
    assert entry.additional_data["visible_to_peers"] is True
    assert entry.additional_data["prefers_peer"] is True
    page = client.get(URL).content.decode()
    assert page.count("checked") == 2

    client.post(URL, {"prefers_peer": "on"})

    tala.refresh_from_db()
    assert (tala.visible_to_peers, tala.prefers_peer) == (False, True)
    assert _events(tala).count() == 2


def test_hostile_input_changes_only_her_own_two_choices(tala, make_user):
    bituin = ConsultantFactory(pseudonym="Bituin", user=make_user(Role.CONSULTANT))
    before = Consultant.objects.values().get(pk=tala.pk)

    response = client_for(tala.user).post(
        URL,
        {
            "visible_to_peers": "<script>alert(1)</script>",
            "consultant": bituin.pk,
            "pk": bituin.pk,
            "pseudonym": "Hacked",
            "status": "alumni",
        },
    )

    assert response.status_code == 302
    after = Consultant.objects.values().get(pk=tala.pk)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"visible_to_peers", "updated_at"}
    bituin.refresh_from_db()
    assert (bituin.visible_to_peers, bituin.prefers_peer, bituin.pseudonym) == (
        False,
        False,
        "Bituin",
    )
    assert _events(bituin).count() == 0


def test_put_is_refused_and_staff_cannot_reach_it(tala, manager_user):
    assert client_for(tala.user).put(URL).status_code == 405
    assert client_for(manager_user).post(URL, {"prefers_peer": "on"}).status_code == 403
    tala.refresh_from_db()
    assert tala.prefers_peer is False


def test_the_about_you_page_links_to_it(tala):
    page = client_for(tala.user).get(reverse("my:index")).content.decode()
    assert URL in page
