"""`./tinig run` restarts a child that dies (config.dev.Supervisor), with a
growing backoff and a log line, and leaves the others running."""

from __future__ import annotations

import sys
import time

from config.dev import Supervisor

DIES = [sys.executable, "-c", "import sys; sys.exit(3)"]
LIVES = [sys.executable, "-c", "import time; time.sleep(60)"]


def _until_dead(process) -> None:
    process.wait(timeout=20)


def test_a_dead_child_is_restarted_with_backoff_and_the_others_live_on():
    now = [0.0]
    lines: list[str] = []
    supervisor = Supervisor({"worker": DIES, "web": LIVES}, log=lines.append, clock=lambda: now[0])
    supervisor.start()
    try:
        web = supervisor.children["web"]
        _until_dead(supervisor.children["worker"])
        supervisor.check()
        assert lines == ["tinig: worker exited with code 3; restarting in 1 s"]
        supervisor.check()  # not before its backoff
        assert len(lines) == 1
        now[0] = 1.0
        supervisor.check()
        assert lines[-1] == "tinig: worker restarted (restart 1)"
        _until_dead(supervisor.children["worker"])
        now[0] = 2.0
        supervisor.check()  # died again at once: twice the wait
        assert lines[-1] == "tinig: worker exited with code 3; restarting in 2 s"
        now[0] = 4.0
        supervisor.check()
        _until_dead(supervisor.children["worker"])
        now[0] = 4.0 + Supervisor.STABLE_AFTER
        supervisor.check()  # it had stayed up a minute: back to one second
        assert lines[-1] == "tinig: worker exited with code 3; restarting in 1 s"
        assert supervisor.children["web"] is web
        assert web.poll() is None
    finally:
        supervisor.stop()
    time.sleep(0.1)
    assert all(process.poll() is not None for process in supervisor.children.values())
