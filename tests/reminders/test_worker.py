"""A real worker and two real beat processes against Redis: the worker is
killed (SIGKILL) in the middle of a batch, started again, and every due
reminder has been sent exactly once.

The worker writes each message to its own file (tests/reminders/backends.py,
a quarter of a second per message, like a slow mail server), so the kill
lands while a reminder is being sent, with its row locked.
"""

from __future__ import annotations

import datetime
import email
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from engagements.models import Engagement, Participation
from reminders.models import ReminderDelivery
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import ARTIFACTS
from tests.processes import WorkerHandle, worker_environment

DUE = 30
D = ReminderDelivery.Status


class Processes:
    """Worker and beat processes sharing one environment."""

    def __init__(self, env: dict[str, str], tmp_path: Path):
        self.env = env
        self.tmp_path = tmp_path
        self.started: list[subprocess.Popen] = []

    def _spawn(self, command: list[str], label: str) -> tuple[subprocess.Popen, Path]:
        ARTIFACTS.mkdir(exist_ok=True)
        log_path = ARTIFACTS / f"reminders-{label}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", *command],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=Path(__file__).resolve().parents[2],
            )
        self.started.append(process)
        return process, log_path

    def worker(self, concurrency: int = 1) -> WorkerHandle:
        name = f"reminders-{uuid.uuid4().hex[:8]}@localhost"
        process, log_path = self._spawn(
            [
                "-A",
                "config",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(concurrency),
                "-n",
                name,
                "--without-mingle",
                "--without-gossip",
            ],
            name.split("@")[0],
        )
        handle = WorkerHandle(process=process, name=name, log_path=log_path)
        handle.wait_ready()
        return handle

    def beat(self, number: int) -> subprocess.Popen:
        process, _log = self._spawn(
            [
                "-A",
                "tests.reminders.beat_app",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(self.tmp_path / f"beat-{number}"),
                "--pidfile=",
            ],
            f"beat-{number}",
        )
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _sent_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_killed_worker_sends_every_reminder_exactly_once(settings, tmp_path, make_user):
    from config.celery import app

    # Due a minute ago: the reminder a day before engagements 24 hours away.
    start = timezone.now() + datetime.timedelta(hours=24) - datetime.timedelta(minutes=1)
    for _ in range(DUE):
        engagement = EngagementFactory(
            status=Engagement.Status.CONFIRMED, start=start, end=start + datetime.timedelta(hours=2)
        )
        ParticipationFactory(
            engagement=engagement,
            consultant=ConsultantFactory(),
            status=Participation.Status.CONFIRMED,
        )

    outbox = tmp_path / "mail"
    env = worker_environment(
        settings,
        DJANGO_SETTINGS_MODULE="tests.reminders.worker_settings",
        EMAIL_FILE_PATH=str(outbox),
        REMINDERS_TEST_SEND_DELAY="0.25",
        # Whatever the hour the test runs at: no quiet hours here (they
        # have tests of their own), and a dead worker's rows are handed
        # out again after three seconds instead of ten minutes.
        REMINDERS_QUIET_START="00:00",
        REMINDERS_QUIET_END="00:00",
        REMINDERS_REDISPATCH_SECONDS="3",
    )
    app.control.purge()
    processes = Processes(env, tmp_path)
    try:
        worker = processes.worker()
        processes.beat(1)
        processes.beat(2)  # two beat processes: the sweep runs twice as often

        _wait(lambda: len(_sent_files(outbox)) >= 8, timeout=90, what="the first messages")
        worker.kill()
        sent_before_kill = len(_sent_files(outbox))
        pending = ReminderDelivery.objects.filter(status=D.PENDING).count()
        assert sent_before_kill < DUE, "the kill must land in the middle of the batch"
        assert pending > 0
        assert ReminderDelivery.objects.count() == DUE

        time.sleep(1)  # beats keep sweeping into the queue meanwhile
        processes.worker()
        _wait(
            lambda: ReminderDelivery.objects.filter(status=D.SENT).count() == DUE,
            timeout=120,
            what="every reminder sent",
        )
        time.sleep(6)  # more sweeps by both beats: nothing more may go out
    finally:
        processes.stop_all()

    files = _sent_files(outbox)
    message_ids = Counter(
        email.message_from_bytes(path.read_bytes())["Message-ID"] for path in files
    )
    expected = {
        f"<tinig.reminder.{pk}@tinig.invalid>"
        for pk in ReminderDelivery.objects.values_list("pk", flat=True)
    }
    assert len(files) == DUE
    assert set(message_ids) == expected
    assert set(message_ids.values()) == {1}
    assert ReminderDelivery.objects.filter(status=D.SENT).count() == DUE
    assert ReminderDelivery.objects.count() == DUE
