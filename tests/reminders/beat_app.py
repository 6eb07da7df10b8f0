"""The Celery app for the worker test's beat processes: the real schedule
entry for the reminder sweep, every two seconds instead of every five
minutes (``celery -A tests.reminders.beat_app beat``)."""

from config.celery import app
from config.schedule import BEAT_SCHEDULE


@app.on_after_finalize.connect(weak=False)
def _sweep_every_two_seconds(sender, **kwargs):
    sender.conf.beat_schedule = {
        "reminders-sweep": {**BEAT_SCHEDULE["reminders-sweep"], "schedule": 2.0},
    }


__all__ = ["app"]
