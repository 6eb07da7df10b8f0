"""`./tinig run`: the whole application on one machine.

Starts (or reuses) embedded PostgreSQL and Redis when DATABASE_URL /
REDIS_URL are not set, migrates, loads the demo data (idempotent), then runs
the web server, a Celery worker and Celery beat as child processes until
Ctrl-C or SIGTERM, which stops all of them and the embedded servers.

A child that dies is started again (``Supervisor``): a log line says which
and with what exit code, the first restart waits a second, each quick
death after that doubles the wait (at most 30 s), and a child that stayed
up a minute starts over at one second. The others keep running.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from config.paths import BASE_DIR, LOCAL_DIR

PYTHON = sys.executable


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)  # noqa: S603


class Supervisor:
    """Child processes by name, each restarted when it dies (module docstring)."""

    FIRST_BACKOFF = 1.0
    MAX_BACKOFF = 30.0
    STABLE_AFTER = 60.0

    def __init__(self, commands: dict[str, list[str]], *, log=print, clock=time.monotonic):
        self.commands = commands
        self.log = log
        self.clock = clock
        self.children: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.backoff: dict[str, float] = {}
        self.restart_at: dict[str, float] = {}
        self.restarts: dict[str, int] = dict.fromkeys(commands, 0)

    def _start(self, name: str) -> None:
        # Each child leads its own process group so that stopping it also
        # stops what it started (runserver's reloader, prefork workers).
        self.children[name] = subprocess.Popen(  # noqa: S603
            self.commands[name], cwd=BASE_DIR, start_new_session=True
        )
        self.started_at[name] = self.clock()

    def start(self) -> None:
        for name in self.commands:
            self._start(name)

    def check(self) -> None:
        """Restart every child that died, once its backoff has passed."""
        now = self.clock()
        for name, process in self.children.items():
            code = process.poll()
            if code is None:
                continue
            if name not in self.restart_at:
                stable = now - self.started_at[name] >= self.STABLE_AFTER
                backoff = (
                    self.FIRST_BACKOFF
                    if stable or name not in self.backoff
                    else min(self.backoff[name] * 2, self.MAX_BACKOFF)
                )
                self.backoff[name] = backoff
                self.restart_at[name] = now + backoff
                self.log(f"tinig: {name} exited with code {code}; restarting in {backoff:.0f} s")
            elif now >= self.restart_at[name]:
                del self.restart_at[name]
                self.restarts[name] += 1
                self._start(name)
                self.log(f"tinig: {name} restarted (restart {self.restarts[name]})")

    def stop(self) -> None:
        _stop(self.children)


def _wait_until_healthy(url: str, supervisor: Supervisor, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.check()
        try:
            with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (our own localhost URL)
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    return False


def _stop(children: dict) -> None:
    for process in children.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in children.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./tinig run")
    parser.add_argument("--host", default=os.environ.get("TINIG_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TINIG_PORT", "8000")))
    parser.add_argument("--no-demo", action="store_true", help="skip loading demo data")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from config import embedded

    started = embedded.ensure_services()
    for name, value in embedded.development_secrets().items():
        os.environ.setdefault(name, value)
    for name in started:
        print(f"tinig: embedded {name.split('_')[0].lower()} started ({name} set for children)")

    _manage("migrate", "--noinput")
    if not options.no_demo:
        _manage("seed_demo")

    beat_schedule = LOCAL_DIR / "celerybeat-schedule"
    commands = {
        "web": [PYTHON, "manage.py", "runserver", f"{options.host}:{options.port}"],
        "worker": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "INFO",
            "--concurrency",
            "2",
            "-n",
            "tinig-dev@%h",
        ],
        "beat": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "-l",
            "INFO",
            "--schedule",
            str(beat_schedule),
        ],
    }
    supervisor = Supervisor(commands)

    def _on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_signal)
    base_url = f"http://{options.host}:{options.port}"
    try:
        supervisor.start()
        if not _wait_until_healthy(f"{base_url}/healthz", supervisor):
            print("tinig: the application did not become healthy; see the output above.")
            return 1
        _manage("demo_signins", "--url", base_url)
        while True:
            supervisor.check()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\ntinig: stopping web, worker and beat…")
        return 0
    finally:
        supervisor.stop()


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        print("usage: python -m config.dev run [--host H] [--port P] [--no-demo]")
        return 2
    return run(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
