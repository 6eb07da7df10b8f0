"""Run the benchmarks: ``./tinig bench [name ...]`` (all when none is named).

``./tinig bench faults`` is the fault drill (bench/faults.py): its own
PostgreSQL, Redis, worker and beat, killed and restarted in turn.
``./tinig bench scale [--small]`` is the side-by-side benchmark at the
volumes of issue #16 (bench/scale/): every list against the admin and a
floor, matching, the PDFs, the portal, query counts across volumes.

Each module in this package with a ``run()`` is a benchmark; see
bench/harness.py for what the figures mean.
"""

from __future__ import annotations

import importlib
import os
import sys

BENCHMARKS = ["foundation", "consultants", "reminders"]
# Run only when named: each starts servers of its own and takes minutes.
DRILLS = ["faults", "scale"]


def main(names: list[str]) -> int:
    from bench.harness import use_bench_database

    if names and names[0] in DRILLS:
        return importlib.import_module(f"bench.{names[0]}").main(names[1:])

    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"bench: unknown benchmark {', '.join(unknown)}; choose from {BENCHMARKS}")
        return 2
    database = use_bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test Client's host
    settings.DEBUG = False  # measure what production runs, not debug logging
    from django.core.management import call_command

    print(f"bench: database {database}; migrating")
    call_command("migrate", verbosity=0)
    for name in names or BENCHMARKS:
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
