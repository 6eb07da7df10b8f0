"""Drive reminders as beat and the worker would, in this process."""

from __future__ import annotations

from reminders import services


def run_beat_once() -> dict[str, int]:
    """One sweep and every send it dispatches, in this process."""
    services.reminders_sweep()
    outcomes: dict[str, int] = {}
    for chunk in services.deliveries_dispatch():
        for delivery_id in chunk:
            outcome = services.delivery_send(delivery_id=delivery_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
