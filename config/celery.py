"""The Celery application: one per process, configured from Django settings.

Every ``CELERY_*`` setting in config/settings/base.py applies; tasks are
found in each app's ``tasks.py``; the periodic schedule lives in
``config/schedule.py`` so all of it can be read in one place.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tinig")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each time a worker (re)connects to the broker: a reminders recovery soon
# after, for what a dead worker or a lost broker took with it.
from reminders.celery_steps import RecoverRemindersOnConnect  # noqa: E402

app.steps["consumer"].add(RecoverRemindersOnConnect)


@app.on_after_finalize.connect
def _install_schedule(sender, **kwargs):
    from config.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
