"""The recorder of an on-behalf time entry and a colleague approve it at
the same moment, through the staff pages, each request on its own
PostgreSQL connection committing for real: the colleague's approval
stands, the recorder's is refused (403, with the reason), one line."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.models import Decision, PaymentLine, TimeEntry
from tests.helpers import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_recorder_and_colleague_approving_at_once(agreement, owner, manager_user):
    participation = agreement.participation
    entry = services.time_entry_add(
        participation=participation,
        by=owner,
        kind="engagement",
        date=timezone.localtime(participation.engagement.start).date(),
        hours="2.00",
        on_behalf=True,
    )
    url = reverse("compensation:time_decide", args=[entry.pk])
    clients = {"recorder": client_for(owner), "colleague": client_for(manager_user)}
    barrier = threading.Barrier(len(clients))
    results: dict[str, tuple[int, str]] = {}

    def approve(name: str):
        def run():
            try:
                barrier.wait(timeout=30)
                response = clients[name].post(url, {"decision": "approve"})
                results[name] = (response.status_code, response.content.decode())
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=approve(name)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert results["colleague"][0] == 302
    status, page = results["recorder"]
    assert status == 403
    assert "You recorded this for the consultant" in page
    entry = TimeEntry.objects.get(pk=entry.pk)
    assert entry.status == Decision.APPROVED and entry.decided_by_id == manager_user.pk
    assert PaymentLine.objects.filter(time_entry=entry).count() == 1
