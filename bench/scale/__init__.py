"""``./tinig bench scale``: every list, matching, the PDFs and the portal at
the volumes of issue #16, side by side with the admin and the floor.

    ./tinig bench scale            the large volume (10,000 consultants,
                                   100,000 engagements, 1,000,000 time
                                   entries...), query counts compared
                                   with the small one
    ./tinig bench scale --small    1/100 of it, compared with 1/1,000
    options: --rounds N (interleaved rounds, default 15), --reseed,
             --no-pdf, --no-compare, --divisor N (any fraction)

Each volume lives in a database of its own (``tinig_bench_scale_<volume>``
on the configured server; ``TINIG_BENCH_DATABASE_PREFIX`` replaces the
``tinig_bench_scale_`` part), seeded once by COPY (bench/scale/seed.py) and
reused while its stored seed version matches. A run then, with DEBUG off
and through the whole middleware as a signed-in person of the page's
role (MFA set up, as bench/harness.py signs in):

- warms every page once, as a running server answers it (content types
  cached first: ``as_a_running_server``): status, bytes raw and gzipped,
  queries, and the slowest query, whose ``EXPLAIN (ANALYZE, BUFFERS)`` is
  written to ``.local/bench/``; then times all pages round robin,
  ``--rounds`` times: medians and 95th percentiles, each staff list as a
  ratio to the admin changelist of the same model and to the floor
  (bench/scale/urls.py);
- renders the three PDFs, each in a subprocess of its own: the builder's
  gathering, the template, WeasyPrint on that HTML, bare WeasyPrint on
  the same HTML without its stylesheets, and the peak RSS (ru_maxrss);
- counts every page's queries at the reference volume (a subprocess on
  its database) and exits 1 when a page's count differs between volumes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

OUTPUT_DIR = Path(__file__).resolve().parent.parent.parent / ".local" / "bench"
TIMES_ADMIN, TIMES_FLOOR = "\u00d7 admin", "\u00d7 floor"  # the multiplication sign of issue #16
REFERENCE = {1: 100, 100: 1_000}  # a volume's query counts are compared with these


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./tinig bench scale")
    parser.add_argument("--small", action="store_true", help="1/100 of the volumes")
    parser.add_argument("--divisor", type=int, help="any fraction: 1/N of the volumes")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reseed", action="store_true", help="drop and seed again")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--no-compare", action="store_true")
    parser.add_argument("--pdf-timeout", type=int, default=1800, help="seconds per PDF")
    parser.add_argument(
        "--only", help="only the pages whose label contains this text (a page's own work)"
    )
    # Internal: the subprocesses.
    parser.add_argument("--counts-to", help=argparse.SUPPRESS)
    parser.add_argument("--pdf", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.divisor = args.divisor or (100 if args.small else 1)
    return args


def database_name(divisor: int) -> str:
    from bench.scale.seed import Volume

    label = Volume(divisor).label
    # TINIG_BENCH_DATABASE_PREFIX keeps two checkouts sharing one server
    # (each with its own development keys) out of each other's seeds.
    prefix = os.environ.get("TINIG_BENCH_DATABASE_PREFIX") or "tinig_bench_scale_"
    return prefix + (label if "/" not in label else f"d{divisor}")


def use_database(divisor: int, *, reseed: bool = False) -> bool:
    """Point DATABASE_URL at this volume's database (created when missing,
    dropped first when its seed is stale); True when it must be seeded."""
    import psycopg2

    from bench.scale.seed import Volume, matches, stored_seed
    from config import embedded
    from config.paths import read_dotenv

    read_dotenv()
    embedded.ensure_services()
    owner = urlsplit(os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"])
    name = database_name(divisor)
    server = psycopg2.connect(urlunsplit(owner._replace(path="/postgres")))
    server.autocommit = True
    needs_seed = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if exists:
            database = psycopg2.connect(urlunsplit(owner._replace(path=f"/{name}")))
            with database.cursor() as inner:
                fresh = matches(stored_seed(inner), Volume(divisor))
            database.close()
            if fresh and not reseed:
                needs_seed = False
            else:
                print(f"bench scale: {name} holds another or an unfinished seed; dropping it")
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()
    os.environ["DATABASE_OWNER_URL"] = os.environ["DATABASE_URL"] = urlunsplit(
        owner._replace(path=f"/{name}")
    )
    return needs_seed


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ROOT_URLCONF = "bench.scale.urls"


# --- Measuring pages ----------------------------------------------------------------


@dataclass
class Result:
    label: str
    url: str
    kind: str
    status: int = 0
    size: int = 0
    gzipped: int = 0
    queries: int = 0
    timings: list[float] = field(default_factory=list)
    slowest_sql: str = ""
    slowest_params: object = None
    slowest_ms: float = 0.0
    explain: str = ""
    admin: Result | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.timings) if self.timings else float("nan")

    @property
    def p95(self) -> float:
        if not self.timings:
            return float("nan")
        ordered = sorted(self.timings)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def clients() -> dict[str, object]:
    """A signed-in test Client per role (MFA set up for staff)."""
    from django.test import Client

    from bench.scale.seed import consultant_user, staff_users

    people = {**staff_users(), "consultant": consultant_user()}
    signed_in = {}
    for role, user in people.items():
        # A page that fails is reported with its 500, not the end of the run.
        client = Client(raise_request_exception=False)
        client.force_login(user)
        signed_in[role] = client
    return signed_in


def warm(result: Result, client) -> None:
    """One request: status, bytes, queries and the slowest SELECT."""
    from django.db import connection

    executed: list[tuple[float, str, object]] = []

    def capture(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not many:
                executed.append(((time.perf_counter() - started) * 1000, sql, params))

    with connection.execute_wrapper(capture):
        response = client.get(result.url)
    result.status = response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    result.size = len(body)
    result.gzipped = len(gzip.compress(body, compresslevel=6))
    result.queries = len(executed)
    selects = [item for item in executed if _reads_only(item[1])]
    if selects:
        result.slowest_ms, result.slowest_sql, result.slowest_params = max(
            selects, key=lambda item: item[0]
        )


def _reads_only(sql: str) -> bool:
    """A SELECT, or a WITH ... SELECT that writes nothing: EXPLAIN ANALYZE
    runs the statement, so only these are candidates for the slowest."""
    text = sql.lstrip().upper()
    if text.startswith("SELECT"):
        return True
    return text.startswith("WITH") and not any(
        verb in text for verb in ("INSERT ", "UPDATE ", "DELETE ", "MERGE ")
    )


def explain(result: Result) -> None:
    from django.db import connection

    if not result.slowest_sql:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS) " + result.slowest_sql, result.slowest_params
            )
            result.explain = "\n".join(row[0] for row in cursor.fetchall())
    except Exception as error:  # a plan is a bonus; the figures stand without it
        result.explain = f"(EXPLAIN failed: {error})"


def time_once(result: Result, client) -> None:
    started = time.perf_counter()
    response = client.get(result.url)
    if response.streaming:
        b"".join(response.streaming_content)
    result.timings.append((time.perf_counter() - started) * 1000)


def as_a_running_server() -> None:
    """Cache every content type, as a server process has after its first
    requests. Django caches them per process on first use (guardian asks for
    the consultant's on the consultant page), and seeding in this process
    caches that one: without this, a page's first request counts one query
    more in a process that did not seed than in one that did, and the
    volumes' counts differ for no reason of theirs."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    models = apps.get_models()
    ContentType.objects.get_for_models(*models)
    ContentType.objects.get_for_models(*models, for_concrete_models=False)


def measure_pages(*, rounds: int, counts_only: bool = False, only: str = "") -> list[Result]:
    from bench.scale.pages import PAGES, targets

    as_a_running_server()
    signed_in = clients()
    found = targets()
    results = []
    chosen = [page for page in PAGES if only.lower() in page.label.lower() or page.kind == "floor"]
    for page in chosen:
        result = Result(page.label, page.url(found), page.kind)
        if page.admin:
            result.admin = Result(f"  admin: {page.admin}", page.admin, "admin")
        results.append(result)
    roles = {page.label: page.role for page in chosen}

    def pairs():
        for result in results:
            yield result, signed_in[roles[result.label]]
            if result.admin is not None:
                yield result.admin, signed_in["administrator"]

    print(f"bench scale: warming {len(results)} pages", flush=True)
    for result, client in pairs():
        warm(result, client)
    if counts_only:
        return results
    started = time.perf_counter()
    for number in range(rounds):
        print(f"\r  round {number + 1}/{rounds}", end="", flush=True)
        for result, client in pairs():
            if result.status == 200:
                time_once(result, client)
        sys.stdout.write(f"  {time.perf_counter() - started:.0f} s")
        sys.stdout.flush()
    print(flush=True)
    for result in results:
        if result.kind in ("list", "page", "matching") and result.status == 200:
            explain(result)
    return results


# --- PDFs -----------------------------------------------------------------------------


def pdf_child(kind: str) -> int:
    """In a subprocess: one document's gathering, template, render and bare
    WeasyPrint, and the process's peak RSS; one JSON line on stdout."""
    import re
    import resource

    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from bench.scale.pages import DOCUMENTS, document_params
    from bench.scale.seed import staff_users
    from reports.models import ReportJob
    from reports.registry import get_report_kind
    from reports.services import REPORT_TIME_ZONE, _base_context

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    document = next(item for item in DOCUMENTS if item.kind == kind)
    user = staff_users()[document.role]
    params = document_params(kind)
    out: dict[str, object] = {"kind": kind, "params": params, "rss_start_mb": rss_mb()}
    job = ReportJob(kind=kind, params=params, requested_by=user, language="en")
    with translation.override("en"), timezone.override(REPORT_TIME_ZONE):
        entry = get_report_kind(kind)
        form = entry.bind(params, user=user)
        if not form.is_valid():
            out["error"] = f"parameters refused: {form.errors.as_json()}"
            print("BENCH-PDF " + json.dumps(out), flush=True)
            return 0
        job.params = form.params()
        # Twice: the first pays for loading templates and catalogues; the
        # second is what a warm worker gathers. Gathering is the builder
        # and the template (lazy querysets are read while it renders).
        for attempt in ("cold", "warm"):
            started = time.perf_counter()
            template_name, context = entry.build(job, lambda percent, message: None)
            build_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            html = render_to_string(template_name, {**_base_context(job, entry), **context})
            template_ms = (time.perf_counter() - started) * 1000
            out[f"{attempt}_gather_ms"] = build_ms + template_ms
        out["build_ms"], out["template_ms"] = build_ms, template_ms
        out["gather_ms"] = build_ms + template_ms
        out["rss_gathered_mb"] = rss_mb()
        out["html_bytes"] = len(html.encode())
        from weasyprint import HTML

        from reports.pdf import html_to_pdf

        started = time.perf_counter()
        pdf = html_to_pdf(html)
        out["render_ms"] = (time.perf_counter() - started) * 1000
        out["pdf_bytes"] = len(pdf)
        out["rss_rendered_mb"] = rss_mb()
        bare = re.sub(r"<link[^>]*>|<style.*?</style>", "", html, flags=re.S | re.I)
        started = time.perf_counter()
        HTML(string=bare).write_pdf()
        out["bare_ms"] = (time.perf_counter() - started) * 1000
    out["rss_peak_mb"] = rss_mb()
    print("BENCH-PDF " + json.dumps(out, default=str), flush=True)
    return 0


def measure_pdfs(divisor: int, timeout: int) -> list[dict]:
    from bench.scale.pages import DOCUMENTS

    figures = []
    for document in DOCUMENTS:
        print(f"bench scale: {document.label} (subprocess)", flush=True)
        command = [sys.executable, "-m", "bench", "scale", "--divisor", str(divisor)]
        command += ["--pdf", document.kind]
        try:
            finished = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            figures.append({"label": document.label, "error": f"over {timeout} s; stopped"})
            continue
        line = next(
            (text for text in finished.stdout.splitlines() if text.startswith("BENCH-PDF ")), None
        )
        if line is None:
            tail = (finished.stderr or finished.stdout).strip().splitlines()[-3:]
            figures.append({"label": document.label, "error": " | ".join(tail)})
            continue
        figures.append({"label": document.label, **json.loads(line[len("BENCH-PDF ") :])})
    return figures


# --- Reference counts ---------------------------------------------------------------------


def reference_counts(divisor: int) -> dict[str, int]:
    """Every page's query count at another volume (seeded there if needed)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        path = handle.name
    try:
        command = [sys.executable, "-m", "bench", "scale", "--divisor", str(divisor)]
        subprocess.run([*command, "--counts-to", path], check=True)  # noqa: S603
        return json.loads(Path(path).read_text())
    finally:
        Path(path).unlink(missing_ok=True)


def counts_of(results: list[Result]) -> dict[str, int]:
    counts = {}
    for result in results:
        counts[result.label] = result.queries if result.status == 200 else -result.status
        if result.admin is not None:
            counts[result.admin.label] = (
                result.admin.queries if result.admin.status == 200 else -result.admin.status
            )
    return counts


# --- Output -------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    if value != value:  # NaN
        return "—"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.1f} ms"


def _kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def table(
    results: list[Result], reference: dict[str, int] | None, ref_label: str, label: str
) -> tuple[str, list[str]]:
    floor = next((result for result in results if result.kind == "floor"), None)
    floor_ms = floor.median if floor and floor.timings else float("nan")
    lines = []
    header = (
        f"{'page':<34} {'status':>6} {'median':>10} {'p95':>10} {'admin':>10} {TIMES_ADMIN:>8} "
        f"{TIMES_FLOOR:>8} {'queries':>8} {'at ' + ref_label:>10} {'size':>11} {'gzipped':>10}"
    )
    lines += [header, "-" * len(header)]
    differ = []

    def row(result: Result) -> None:
        admin = result.admin
        admin_ms = admin.median if admin is not None and admin.timings else float("nan")
        ratio_admin = result.median / admin_ms if admin_ms == admin_ms and result.timings else None
        ratio_floor = result.median / floor_ms if floor_ms == floor_ms and result.timings else None
        ref = reference.get(result.label) if reference is not None else None
        mine = result.queries if result.status == 200 else -result.status
        if ref is not None and ref != mine:
            differ.append(f"{result.label}: {mine} at {label}, {ref} at {ref_label}")
        flag = "" if ref is None or ref == mine else " ≠"
        ref_text = "—" if ref is None else (str(ref) if ref >= 0 else f"HTTP {-ref}")
        lines.append(
            f"{result.label:<34} {result.status:>6} {_ms(result.median):>10} {_ms(result.p95):>10} "
            f"{_ms(admin_ms):>10} {f'{ratio_admin:.2f}' if ratio_admin else '—':>8} "
            f"{f'{ratio_floor:.1f}' if ratio_floor else '—':>8} {result.queries:>8} "
            f"{ref_text + flag:>10} {_kb(result.size):>11} {_kb(result.gzipped):>10}"
        )

    for section, kinds in (
        ("floor", ("floor",)),
        ("staff pages", ("list", "page", "matching")),
        ("portal pages (the consultant)", ("portal",)),
    ):
        lines.append(f"[{section}]")
        for result in results:
            if result.kind in kinds:
                row(result)
    admins = [result.admin for result in results if result.admin is not None]
    if reference is not None:
        for admin in admins:
            ref = reference.get(admin.label)
            if ref is not None and ref != (admin.queries if admin.status == 200 else -admin.status):
                differ.append(
                    f"{admin.label.strip()}: {admin.queries} at {label}, {ref} at {ref_label}"
                )
    return "\n".join(lines), differ


def pdf_table(figures: list[dict]) -> str:
    lines = [
        f"{'document':<40} {'builder':>10} {'template':>10} {'gathering':>10} {'render':>10} "
        f"{'bare WP':>10} {'gather/render':>13} {'peak RSS':>9} {'PDF':>9}"
    ]
    for item in figures:
        if "error" in item:
            lines.append(f"{item['label']:<40} failed: {item['error']}")
            continue
        ratio = item["gather_ms"] / item["render_ms"] if item["render_ms"] else float("nan")
        lines.append(
            f"{item['label']:<40} {_ms(item['build_ms']):>10} {_ms(item['template_ms']):>10} "
            f"{_ms(item['gather_ms']):>10} {_ms(item['render_ms']):>10} {_ms(item['bare_ms']):>10} "
            f"{ratio:>12.0%} "
            f"{item['rss_peak_mb']:>6.0f} MB {_kb(item['pdf_bytes']):>9}"
        )
    return "\n".join(lines)


# --- Entry point --------------------------------------------------------------------------------


def prepare(divisor: int, *, reseed: bool = False) -> None:
    """Database, Django, migrations and (when needed) the seed of this volume."""
    needs_seed = use_database(divisor, reseed=reseed)
    setup_django()
    from django.core.management import call_command

    # A reused seed is migrated too: the pages measured are today's code,
    # whose columns and indexes a later migration may have added.
    print(f"bench scale: migrating {database_name(divisor)}", flush=True)
    call_command("migrate", verbosity=0)
    if needs_seed:
        from bench.scale.seed import Volume, seed

        seed(Volume(divisor))


def main(argv: list[str]) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    args = parse(argv)
    if args.pdf:
        use_database(args.divisor)
        setup_django()
        return pdf_child(args.pdf)
    prepare(args.divisor, reseed=args.reseed)
    if args.counts_to:
        results = measure_pages(rounds=0, counts_only=True)
        Path(args.counts_to).write_text(json.dumps(counts_of(results)))
        return 0
    return run(args)


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from bench.scale.seed import Volume

    volume = Volume(args.divisor)
    ref_divisor = None if args.no_compare else REFERENCE.get(args.divisor)
    reference = None
    if ref_divisor is not None:
        print(f"bench scale: query counts at the {Volume(ref_divisor).label} volume first")
        reference = reference_counts(ref_divisor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_scale_seed WHERE key = 'seconds'")
        seeded = cursor.fetchone()
    print(
        f"bench scale: {volume.label} volume ({volume.describe()}); "
        f"seeded in {seeded[0] if seeded else '?'} s; {args.rounds} interleaved rounds",
        flush=True,
    )
    results = measure_pages(rounds=args.rounds, only=args.only or "")
    figures = [] if args.no_pdf else measure_pdfs(args.divisor, args.pdf_timeout)
    text, differ = table(
        results, reference, Volume(ref_divisor).label if ref_divisor else "—", volume.label
    )
    report = [
        f"Scale benchmark, {volume.label} volume: {volume.describe()}",
        f"medians and 95th percentiles of {args.rounds} interleaved rounds, DEBUG off",
        "",
        text,
    ]
    if figures:
        report += [
            "",
            pdf_table(figures),
            "gathering = builder + template (warm, second of two); render = WeasyPrint on that "
            "HTML; bare WP = WeasyPrint on the same HTML without its stylesheets; peak RSS = "
            "ru_maxrss of the document's own process",
        ]
    if differ:
        report += [
            "",
            "query counts that differ between volumes:",
            *[f"  {item}" for item in differ],
        ]
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    plans = OUTPUT_DIR / f"scale-{database_name(args.divisor)}-explain.txt"
    with plans.open("w") as handle:
        for result in results:
            if result.explain:
                handle.write(
                    f"=== {result.label} ({result.url}): slowest query {result.slowest_ms:.1f} ms\n"
                    f"{result.slowest_sql}\n-- params: {result.slowest_params!r}\n"
                    f"{result.explain}\n\n"
                )
    summary = OUTPUT_DIR / f"scale-{database_name(args.divisor)}.txt"
    summary.write_text("\n".join(report) + "\n")
    print("\n" + "\n".join(report))
    print(f"\nEXPLAIN (ANALYZE, BUFFERS) of each list's slowest query: {plans}")
    print(f"this table: {summary}")
    return 1 if differ else 0
