"""`./tinig run`: the whole application on one machine.

Starts (or reuses) embedded PostgreSQL and Redis when DATABASE_URL /
REDIS_URL are not set, migrates, loads the demo data (idempotent), then runs
the web server, a Celery worker and Celery beat as child processes until
Ctrl-C, which stops all of them and the embedded servers.
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


def _wait_until_healthy(url: str, children: dict, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in children.values()):
            return False
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
    children = {
        # Each child leads its own process group so that stopping it also
        # stops what it started (runserver's reloader, prefork workers).
        name: subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)  # noqa: S603
        for name, command in commands.items()
    }

    def _on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_signal)
    base_url = f"http://{options.host}:{options.port}"
    try:
        if not _wait_until_healthy(f"{base_url}/healthz", children):
            print("tinig: the application did not become healthy; see the output above.")
            return 1
        _manage("demo_signins", "--url", base_url)
        while all(process.poll() is None for process in children.values()):
            time.sleep(1)
        dead = [name for name, process in children.items() if process.poll() is not None]
        print(f"tinig: {', '.join(dead)} stopped unexpectedly; stopping everything.")
        return 1
    except KeyboardInterrupt:
        print("\ntinig: stopping web, worker and beat…")
        return 0
    finally:
        _stop(children)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        print("usage: python -m config.dev run [--host H] [--port P] [--no-demo]")
        return 2
    return run(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
