"""``python -m analytics bench``: how fast Sitrep ingests, queries and renders, on real text.

One run measures, in this order, each phase in its own process (so that each peak memory
figure belongs to that phase alone):

1. corpus — reports recombined from real sentences and comments (``analytics.bench_corpus``);
2. ingestion — the real ``ingest()`` on all cores: reports/s, comments/s, MB of text/s,
   peak memory of the process tree, database size per 1,000 reports;
3. stages — the same pipeline on a sample in one process, every stage timed (exclusive
   time), to show where ingestion time goes and which side (workers or writer) bounds it;
4. query database — the ingested reports multiplied in SQL (shifted ids and dates) up to
   100,000 reports, event groups rebuilt and a snapshot published, as an ingest would;
5. queries — each page's named queries through ``analytics.queries.run`` on a ``Reader``
   (no Streamlit cache), with varied filters; the page's heaviest query run by DuckDB
   alone is the floor;
6. render — each page through ``AppTest`` with the same filters, cache cleared before
   every run;
7. baseline — the same page aggregates the way a typical Streamlit dashboard computes
   them: whole tables loaded into pandas once, then filtered and grouped in pandas;
8. cold start — ``streamlit run`` on the query database until the Overview's first metric
   is visible in headless Chromium, then every page visited while the server's memory
   is sampled.

The results are printed and written as Markdown (``benchmarks/results.md`` by default),
each figure marked against its floor. ``--quick`` runs the same phases on small sizes in
about a minute or two; figures are noisy on a busy machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analytics.paths import PROJECT_DIR

BENCH_DIR = PROJECT_DIR / "benchmarks"
DEFAULT_WORK = BENCH_DIR / "work"
DEFAULT_OUT = BENCH_DIR / "results.md"
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

# What the issue asks for (2 cores, 100,000 reports / ~3 million comments).
FLOORS = {
    "ingest_reports_per_s": 150.0,
    "query_p95_ms": 200.0,
    "render_p95_ms": 500.0,
    "server_peak_mb": 1536.0,
    "baseline_ratio": 5.0,
    "cold_start_s": 5.0,
}

# --- what every page runs ------------------------------------------------------------------
# Read off pages/*.py and analytics/ui.py: (query name, extra parameters) in the order the
# page runs them. Values starting with "@" are taken from an earlier result of the same
# render (see ``_resolve``): the Actors page profiles its top actor, the Reports page opens
# the first report found. "@previous" runs the query on the previous period's filters
# (Overview's deltas). The frame (app.py: sidebar filter options) runs on every page.
FRAME_QUERIES: list[tuple[str, dict[str, object]]] = [("filter_options", {})]
PAGE_QUERIES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "Overview": [
        ("date_span", {}),
        ("overview_totals", {}),
        ("overview_totals", {"@filters": "@previous"}),
        ("overview_timeline", {"grain": "week"}),
        ("latest_reports", {"limit": 15}),
    ],
    "Events": [
        ("events_timeline", {"grain": "week"}),
        ("date_span", {}),
        ("events_map", {}),
        ("events_table", {"limit": 1000}),
        # ``events_acled`` (every filtered event, for the CSV) runs only when its download
        # button is clicked (``ui.download_query``), not per render
    ],
    "Evacuations": [
        ("evacuations_over_time", {"grain": "week"}),
        ("date_span", {}),
        ("evacuation_flows", {}),
        ("evacuations_table", {"limit": 1000}),
    ],
    "Actors": [
        ("top_actors", {"limit": 20}),
        ("date_span", {}),
        ("actor_mentions_over_time", {"grain": "week", "chosen": "@chosen_actors"}),
        ("comention_matrix", {"limit": 12}),
        ("actor_profile", {"actor": "@top_actor"}),
        ("actor_comment_sentiment", {"actor": "@top_actor"}),
        ("actor_places", {"actor": "@top_actor"}),
        ("actor_events", {"actor": "@top_actor"}),
    ],
    "Comments": [
        ("sentiment_histogram", {}),
        ("date_span", {}),
        ("sentiment_over_time", {"grain": "week"}),
        ("sentiment_per_report", {"limit": 15}),
        ("sentiment_by_actor", {"limit": 15, "min_comments": 1}),
        ("top_commenters", {"limit": 15}),
        ("extreme_comments", {"limit": 5}),
    ],
    "Reports": [
        ("search_reports", {"limit": 500}),
        ("report", {"report_id": "@first_report"}),
        ("report_mentions", {"report_id": "@first_report"}),
        ("report_paragraphs", {"report_id": "@first_report"}),
        ("report_events", {"report_id": "@first_report"}),
        ("report_comments", {"report_id": "@first_report"}),
    ],
}
PAGE_FILES = {
    "Overview": "pages/overview.py",
    "Events": "pages/events.py",
    "Evacuations": "pages/evacuations.py",
    "Actors": "pages/actors.py",
    "Comments": "pages/comments.py",
    "Reports": "pages/reports.py",
}
PAGE_URLS = {"Overview": "", "Events": "events", "Evacuations": "evacuations",
             "Actors": "actors", "Comments": "comments", "Reports": "reports"}
FRAME = "Frame (sidebar)"

# Free-text filters: words that occur in the FA-KES articles and in the seed.
TEXT_FILTERS = ("chemical", "hospital", "ceasefire", "killed")
DATE_FILTERS = (
    (date(2012, 1, 1), date(2012, 12, 31)),
    (date(2014, 1, 1), date(2014, 6, 30)),
    (date(2016, 1, 1), date(2017, 12, 31)),
    (date(2018, 7, 1), date(2018, 9, 30)),
)


# --- configuration -------------------------------------------------------------------------


@dataclass
class Config:
    quick: bool
    reports: int  # ingested (and the sample the query database is multiplied from)
    db_reports: int  # reports in the query database
    stage_reports: int  # reports of the serial, stage-timed run
    runs: int  # query runs per page (varied filters)
    render_runs: int  # AppTest renders per page
    browse_variants: int  # filter variants per page visited in Chromium
    seed: int
    work: Path
    out: Path
    workers: int
    budget_s: dict[str, float] = field(default_factory=dict)  # per phase, then stop early

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Config:
        quick = bool(args.quick)
        reports = args.reports or (200 if quick else 5000)
        db_reports = args.db_reports or (5000 if quick else 100_000)
        runs = max(args.runs or (10 if quick else 20), 5)
        work = Path(args.work) if args.work else DEFAULT_WORK
        out = Path(args.out) if args.out else (work / "results-quick.md" if quick else DEFAULT_OUT)
        return cls(
            quick=quick,
            reports=reports,
            db_reports=db_reports,
            stage_reports=min(reports, 40 if quick else 200),
            runs=runs,
            render_runs=args.runs or (3 if quick else 20),
            browse_variants=1 if quick else 5,
            seed=args.seed,
            work=work,
            out=out,
            workers=os.cpu_count() or 1,
            budget_s={"queries": 30, "render": 60, "baseline": 20, "browse": 20} if quick
            else {"queries": 210, "render": 300, "baseline": 150, "browse": 120},
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``bench`` subcommand's options (used by ``analytics.cli``)."""
    parser.add_argument("--reports", type=int, default=None, metavar="N",
                        help="reports to ingest, also the sample the query database is "
                        "multiplied from (default 5,000; quick 200)")
    parser.add_argument("--db-reports", type=int, default=None, metavar="M",
                        help="reports in the query database (default 100,000; quick 5,000)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, for development (a minute or two)")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per page with varied filters (default 20; quick: 10 query "
                        "runs, 3 renders)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=None,
                        help=f"scratch folder for corpus and databases (default: {DEFAULT_WORK})")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"Markdown results file (default: {DEFAULT_OUT}; quick runs: "
                        "results-quick.md in the work folder)")


# --- small helpers ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory (Linux reports KB) of this process or its reaped children."""
    return resource.getrusage(who).ru_maxrss / 1024


def _page_kb() -> int:
    return os.sysconf("SC_PAGE_SIZE") // 1024


def process_memory_mb(pid: int) -> float:
    """Proportional set size (shared pages split between processes), else RSS; 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * _page_kb() / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc; cheap where the kernel lists each
    task's children, a scan of every process otherwise)."""
    out, todo = [], [pid]
    listed = os.path.exists(f"/proc/{pid}/task/{pid}/children")
    by_parent = {} if listed else _children_by_scan()
    while todo:
        current = todo.pop()
        out.append(current)
        if not listed:
            todo += by_parent.get(current, [])
            continue
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    todo += [int(child) for child in f.read().split()]
    return out


def _children_by_scan() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


class TreeSampler:
    """Samples the memory of a process and its descendants in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()

    def sample(self) -> float:
        total = sum(process_memory_mb(p) for p in descendants(self.pid))
        self.peak_mb = max(self.peak_mb, total)
        return total

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


def machine() -> dict[str, object]:
    """Cores, memory and versions, for the results' first line."""
    import duckdb
    import pandas as pd
    import streamlit

    memory_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count() or 1,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
        "pandas": pd.__version__,
    }


def _load() -> float:
    """The 1-minute load average: other work on the machine makes every figure noisier."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return math.nan


def dir_size_mb(*paths: Path) -> float:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total / 1024 / 1024


def remove_db(master: Path) -> None:
    for suffix in ("", ".wal", ".lock"):
        Path(str(master) + suffix).unlink(missing_ok=True)
    shutil.rmtree(Path(str(master) + ".snapshots"), ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- filters and page plans ------------------------------------------------------------------


def filter_variants(options: Any, count: int) -> list[tuple[str, Any]]:
    """``count`` filter states, round-robin over the five kinds the issue names (no filter,
    a date range, an actor, a governorate, free text), four values of each, most frequent
    actors and governorates first; ``options`` is the ``filter_options`` result."""
    from analytics.filters import Filters

    def top(kind: str) -> list[str]:
        values = options[options["kind"] == kind]["value"].astype(str).tolist()
        return (values or [""])[:4]

    actors, governorates = top("actor"), top("admin1")
    kinds: list[list[tuple[str, Filters]]] = [
        [("no filter", Filters())] * 4,
        [("date range", Filters(start=s, end=e)) for s, e in DATE_FILTERS],
        [("actor", Filters(actors=(a,) if a else ())) for a in actors],
        [("governorate", Filters(admin1=(g,) if g else ())) for g in governorates],
        [("free text", Filters(text=t)) for t in TEXT_FILTERS],
    ]
    cycle = [kinds[k][i % len(kinds[k])] for i in range(4) for k in range(len(kinds))]
    return [cycle[i % len(cycle)] for i in range(count)]


def variants_to_json(variants: list[tuple[str, Any]]) -> list[list[object]]:
    return [[kind, f.to_query_params()] for kind, f in variants]


def variants_from_json(data: list[list[Any]]) -> list[tuple[str, Any]]:
    from analytics.filters import Filters

    return [(str(kind), Filters.from_query_params(params)) for kind, params in data]


@dataclass
class QueryRun:
    key: str  # query name, "#2" for its second run in the same page
    name: str
    seconds: float
    filters: Any
    extra: dict[str, object]
    rows: int


def run_page(reader: Any, page: str, filters: Any) -> list[QueryRun]:
    """Run a page's queries the way its script does (dependent parameters included)."""
    from analytics.queries import run
    from analytics.ui import as_date

    context: dict[str, object] = {}
    out: list[QueryRun] = []
    seen: dict[str, int] = {}
    plan = FRAME_QUERIES if page == FRAME else PAGE_QUERIES[page]
    for name, extra in plan:
        used = filters
        params: dict[str, object] = {}
        for key, value in extra.items():
            if key == "@filters":
                span = context.get("span") or (None, None)
                used = filters.previous_period(*span)  # type: ignore[misc]
            else:
                params[key] = context.get(value[1:], "") if _is_ref(value) else value
        if used is None:
            continue
        seen[name] = seen.get(name, 0) + 1
        key = name if seen[name] == 1 else f"{name}#{seen[name]}"
        started = time.perf_counter()
        frame = run(reader, name, used, **params)
        out.append(QueryRun(key, name, time.perf_counter() - started, used, params, len(frame)))
        if name == "date_span" and not frame.empty:
            context["span"] = (as_date(frame["first"].iloc[0]), as_date(frame["last"].iloc[0]))
        elif name == "top_actors":
            names = frame["actor"].astype(str).tolist()
            context["top_actor"] = names[0] if names else ""
            context["chosen_actors"] = list(filters.actors) or names[:5]
        elif name == "search_reports":
            context["first_report"] = str(frame["report_id"].iloc[0]) if len(frame) else ""
    return out


def _is_ref(value: object) -> bool:
    return isinstance(value, str) and value.startswith("@")


def _stats_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95),
            "max": max(ms, default=math.nan)}


# --- phases (each runs in its own process: ``phase_main``) ------------------------------------


def phase_ingest(p: dict[str, Any]) -> dict[str, Any]:
    """The real pipeline on every corpus file, on all cores."""
    from analytics.ingest import ingest

    master = Path(p["db"])
    remove_db(master)
    files = [Path(f) for f in p["files"]]
    cpu_before = _cpu_seconds()
    with TreeSampler(os.getpid()) as sampler:
        started = time.perf_counter()
        summary = ingest(files, master, workers=p["workers"])
        wall = time.perf_counter() - started
    main_cpu, workers_cpu = (a - b for a, b in zip(_cpu_seconds(), cpu_before, strict=True))
    snapshot = Path(str(master) + ".snapshots")
    return {
        "seconds": wall,
        "added": summary.added,
        "comments": summary.comments,
        "rejected": len(summary.rejections),
        "workers": p["workers"],
        "main_cpu_s": main_cpu,
        "workers_cpu_s": workers_cpu,
        "tree_peak_mb": sampler.peak_mb,
        "main_peak_mb": peak_rss_mb(),
        "worker_peak_mb": peak_rss_mb(resource.RUSAGE_CHILDREN),
        "db_mb": dir_size_mb(master, Path(str(master) + ".wal")),
        "snapshot_mb": dir_size_mb(snapshot),
    }


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its reaped children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


# (module, attribute, stage label, side): "worker" stages run in the process pool, "main"
# ones in the ingesting process; ``Store.*`` are methods of the writer's Store class;
# "a|b" names alternatives (the first one the module has is timed). A function the module
# no longer has is left untimed (its time goes to its caller) and listed in the results.
STAGES: list[tuple[str, str, str, str]] = [
    ("analytics.ingest", "read_file", "read and parse JSONL", "main"),
    ("analytics.extraction", "enrich", "extraction glue (ids, rows)", "worker"),
    ("analytics.extraction", "score_comments", "comment sentiment (VADER)", "worker"),
    ("analytics.extraction", "report_sentences", "sentence splitting", "worker"),
    ("analytics.extraction", "analyse", "mentions glue", "worker"),
    ("analytics.extraction.facts", "find_actors", "actor matching", "worker"),
    ("analytics.extraction.facts", "find_mentions", "place matching", "worker"),
    ("analytics.extraction.facts", "resolve_dates", "date resolution", "worker"),
    ("analytics.extraction", "main_event_date", "main event date and place", "worker"),
    ("analytics.extraction", "primary_place|primary_from_mentions", "main event date and place",
     "worker"),
    ("analytics.extraction", "find_evacuations", "evacuations", "worker"),
    ("analytics.extraction", "evacuation_rows", "evacuations", "worker"),
    ("analytics.extraction", "claimed_sentences", "evacuations", "worker"),
    ("analytics.extraction", "extract_events", "events", "worker"),
    ("analytics.ingest", "_keys", "report ids and content hash", "worker"),
    ("analytics.store.writer", "_frames", "rows into DataFrames", "main"),
    ("analytics.store.writer", "Store.write", "DuckDB insert (write)", "main"),
    ("analytics.store.writer", "Store.stored_hashes", "DuckDB insert (write)", "main"),
    ("analytics.store.writer", "Store.rebuild_event_groups", "event grouping", "main"),
    ("analytics.ingest", "publish", "publish snapshot", "main"),
]


class _ExclusiveTimer:
    """Wraps functions so each accumulates its own time, minus that of timed callees."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                inner = self._stack.pop()
                self.seconds[label] = self.seconds.get(label, 0.0) + elapsed - inner
                self.calls[label] = self.calls.get(label, 0) + 1
                if self._stack:
                    self._stack[-1] += elapsed

        return timed


def phase_stages(p: dict[str, Any]) -> dict[str, Any]:
    """The pipeline in one process on a sample, each stage timed (exclusive time)."""
    import importlib

    from analytics.ingest import ingest

    timer = _ExclusiveTimer()
    sides: dict[str, str] = {}
    untimed: list[str] = []
    for module_name, attributes, label, side in STAGES:
        module = importlib.import_module(module_name)
        sides[label] = side
        for attribute in attributes.split("|"):
            owner_name, _, name = attribute.rpartition(".")
            owner = getattr(module, owner_name, None) if owner_name else module
            original = (owner.__dict__.get(name) if owner_name else getattr(module, name, None)
                        ) if owner is not None else None
            if original is not None:
                break
        else:
            untimed.append(f"{module_name}.{attributes}")
            continue
        if isinstance(original, classmethod):
            setattr(owner, name, classmethod(timer.wrap(label, original.__func__)))
        else:
            setattr(owner, name, timer.wrap(label, original))
    master = Path(p["db"])
    remove_db(master)
    started = time.perf_counter()
    summary = ingest([Path(p["file"])], master, workers=1)
    wall = time.perf_counter() - started
    stages = [
        {"stage": label, "side": sides[label], "seconds": seconds}
        for label, seconds in sorted(timer.seconds.items(), key=lambda kv: -kv[1])
    ]
    stages.append({"stage": "other (pipeline, bookkeeping)", "side": "main",
                   "seconds": max(wall - sum(timer.seconds.values()), 0.0)})
    return {"seconds": wall, "reports": summary.added, "comments": summary.comments,
            "stages": stages, "untimed": untimed}


SCALE_STEP_DAYS = 97  # each copy's dates move this far, wrapping inside 2011–2019
SCALE_SQL = {
    "reports": "r.* REPLACE (r.report_id || '-' || s.k AS report_id, "
    "r.identity_key || '#' || s.k AS identity_key, r.url || '#' || s.k AS url, "
    "r.published + s.delta AS published, r.primary_event_date + s.delta AS primary_event_date)",
    "paragraphs": "r.* REPLACE (r.report_id || '-' || s.k AS report_id)",
    "comments": "r.* REPLACE (r.report_id || '-' || s.k AS report_id, "
    "r.posted_at + to_days(s.delta) AS posted_at)",
    "events": "r.* REPLACE (r.event_id || '-' || s.k AS event_id, "
    "r.report_id || '-' || s.k AS report_id, r.event_date + s.delta AS event_date)",
    "evacuations": "r.* REPLACE (r.evacuation_id || '-' || s.k AS evacuation_id, "
    "r.report_id || '-' || s.k AS report_id, r.event_date + s.delta AS event_date)",
    "actor_mentions": "r.* REPLACE (r.report_id || '-' || s.k AS report_id)",
    "place_mentions": "r.* REPLACE (r.report_id || '-' || s.k AS report_id)",
}


def phase_scale(p: dict[str, Any]) -> dict[str, Any]:
    """The query database: the ingested sample copied ``copies`` times with shifted ids and
    dates, event groups rebuilt, a snapshot published — what an ingest leaves behind."""
    from analytics.store.snapshots import current_snapshot, publish
    from analytics.store.writer import Store

    base, master = Path(p["base"]), Path(p["db"])
    remove_db(master)
    shutil.copyfile(base, master)
    started = time.perf_counter()
    with Store(master) as store:
        con = store.con
        base_reports = con.execute("SELECT count(*) FROM reports").fetchone()[0]  # type: ignore[index]
        copies = max(1, math.ceil(p["target"] / max(base_reports, 1)))
        first, last = date(2011, 1, 1), date(2019, 12, 31)
        span = (last - first).days + 1
        con.execute(
            """
            CREATE TEMP TABLE _shift AS
            SELECT report_id, k::INTEGER AS k, (CASE WHEN published IS NULL
                THEN (k * $step) % $span
                ELSE (date_diff('day', $first, published) + k * $step) % $span
                     - date_diff('day', $first, published) END)::INTEGER AS delta
            FROM reports, range(1, $copies) t(k)
            """,
            {"step": SCALE_STEP_DAYS, "span": span, "first": first, "copies": copies},
        )
        for table, select in SCALE_SQL.items():
            # table names and expressions are constants of this module
            con.execute(f"INSERT INTO {table} SELECT {select} FROM {table} r "
                        "JOIN _shift s USING (report_id)")
        con.execute("DROP TABLE _shift")
        multiplied = time.perf_counter() - started
        store.rebuild_event_groups()
        grouped = time.perf_counter() - started - multiplied
        published_at = time.perf_counter()
        publish(con, master)
        publish_s = time.perf_counter() - published_at
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("reports", "comments", "paragraphs", "events", "evacuations",
                          "actor_mentions", "place_mentions", "event_groups")
        }
    snapshot = current_snapshot(master)
    return {
        "copies": copies,
        "base_reports": base_reports,
        "counts": counts,
        "multiply_s": multiplied,
        "group_s": grouped,
        "publish_s": publish_s,
        "seconds": time.perf_counter() - started,
        "snapshot": str(snapshot),
        "snapshot_mb": dir_size_mb(snapshot) if snapshot else math.nan,
        "db_mb": dir_size_mb(master),
    }


def phase_queries(p: dict[str, Any]) -> dict[str, Any]:
    """Each page's queries through ``queries.run`` on a ``Reader``, no cache, varied filters;
    then each page's heaviest query on a bare DuckDB connection (the floor)."""
    import duckdb

    from analytics.db import Reader
    from analytics.queries import bind, run
    from analytics.store.snapshots import current_snapshot

    master = Path(p["db"])
    reader = Reader(master)
    started = time.perf_counter()
    options = run(reader, "filter_options")
    first_options_s = time.perf_counter() - started
    variants = filter_variants(options, p["runs"])
    pages = [FRAME, *PAGE_QUERIES]
    warmup = {page: sum(q.seconds for q in run_page(reader, page, variants[0][1]))
              for page in pages}
    totals: dict[str, list[float]] = {page: [] for page in pages}
    per_query: dict[str, dict[str, list[float]]] = {page: {} for page in pages}
    recorded: dict[str, list[QueryRun]] = {page: [] for page in pages}
    page_runs: dict[str, list[list[QueryRun]]] = {page: [] for page in pages}
    checks: list[dict[str, float]] = []
    started = time.perf_counter()
    for i, (_, filters) in enumerate(variants):
        if i >= 5 and time.perf_counter() - started > p["budget_s"] * 2 / 3:
            break
        for page in pages:
            reader.forget()  # a filter's first use: its text search is part of the render
            runs = run_page(reader, page, filters)
            totals[page].append(sum(q.seconds for q in runs))
            page_runs[page].append(runs)
            for q in runs:
                per_query[page].setdefault(q.key, []).append(q.seconds)
                recorded[page].append(q)
        totals_row = run(reader, "overview_totals", filters).iloc[0]
        checks.append({k: float(totals_row[k]) for k in ("reports", "event_mentions", "comments")})
    sitrep_peak = peak_rss_mb()

    # Floor: the page's heaviest query (highest p95) by DuckDB alone on an open connection,
    # with the same parameters, result fetched as Arrow (no pandas, no Reader). Each run is
    # paired with the same query through the Reader, so that both see the same machine load.
    snapshot = current_snapshot(master)
    con = duckdb.connect()
    con.execute("ATTACH ? AS snap (READ_ONLY)", [str(snapshot)])
    con.execute("USE snap")
    floors: dict[str, dict[str, object]] = {}
    page_budget = p["budget_s"] / 3 / len(pages)  # the floor gets a third of the budget
    for page in pages:
        if not per_query[page]:
            continue
        heaviest = max(per_query[page], key=lambda k: percentile(per_query[page][k], 95))
        alone, paired = [], []
        page_started = time.perf_counter()
        for i, q in enumerate(q for q in recorded[page] if q.key == heaviest):
            if i >= 5 and time.perf_counter() - page_started > page_budget:
                break
            sql, params = bind(q.name, q.filters, reader.filter_bits(), **q.extra)
            if i == 0:  # warm this connection's caches as the Reader's are
                _bare_run(con, sql, params)
            t0 = time.perf_counter()
            _bare_run(con, sql, params)
            alone.append(time.perf_counter() - t0)
            reader.forget()
            t0 = time.perf_counter()
            run(reader, q.name, q.filters, **q.extra)
            paired.append(time.perf_counter() - t0)
        floors[page] = {"query": heaviest, **_stats_ms(alone), "paired": _stats_ms(paired),
                        "sitrep": _stats_ms(per_query[page][heaviest]),
                        "page": _page_alone(con, reader, page_runs[page], page_budget)}
    comment_search = _comment_search(con, master.parent / "distinct-comments.duckdb")
    con.close()
    reader.close()
    return {
        "variants": variants_to_json(variants),
        "first_filter_options_ms": first_options_s * 1000,
        "warmup_ms": {page: s * 1000 for page, s in warmup.items()},
        "pages": {page: {**_stats_ms(totals[page]),
                         "queries": {k: _stats_ms(v) for k, v in per_query[page].items()}}
                  for page in pages},
        "floors": floors,
        "comment_search": comment_search,
        "checks": checks,
        "peak_rss_mb": sitrep_peak,
    }


def _comment_search(con: Any, scratch: Path) -> dict[str, Any]:
    """The free-text search over every comment as the pages run it (``contains`` on the
    lowercased text), on the benchmark's comments and on the same comments made distinct.
    The corpus recombines the seed's 27 comments, so DuckDB's dictionary compression leaves
    few distinct strings to search; real comments are mostly distinct. The copy is a
    database file (``scratch``), compressed as the snapshot is, deleted afterwards."""
    scratch.unlink(missing_ok=True)
    con.execute("ATTACH ? AS distinct_copy", [str(scratch)])
    try:
        # two numbers per comment: every string differs, the words stay the same
        con.execute("CREATE TABLE distinct_copy.comments AS SELECT 'c' || crow::VARCHAR "
                    "|| ' ' || text_lc || ' z' || (crow * 7919 % 100003)::VARCHAR AS text_lc "
                    "FROM ro_comments")
        con.execute("CHECKPOINT distinct_copy")
        out: dict[str, Any] = {}
        for label, table in (("benchmark", "ro_comments"), ("distinct", "distinct_copy.comments")):
            seconds, matches = [], 0
            for text in TEXT_FILTERS:
                for _ in range(3):
                    t0 = time.perf_counter()
                    row = con.execute(f"SELECT count(*) FROM {table} "  # our own table names
                                      "WHERE contains(text_lc, $text)", {"text": text}).fetchone()
                    seconds.append(time.perf_counter() - t0)
                matches += int(row[0]) if row else 0
            out[label] = {**_stats_ms(seconds), "matches": matches}
        return out
    finally:
        con.execute("DETACH distinct_copy")
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)


def _page_alone(con: Any, reader: Any, runs: list[list[QueryRun]],
                budget_s: float) -> dict[str, float]:
    """Every statement of a page, run by DuckDB alone on ``con`` (Arrow results, a text
    search once per page as the Reader does it), summed per page run: the least any
    DuckDB-based page can take, against which the pandas ratio can be read."""
    from analytics.queries import bind

    sums: list[float] = []
    started = time.perf_counter()
    for i, page_run in enumerate(runs):
        if i >= 5 and time.perf_counter() - started > budget_s:
            break
        searched: set[str] = set()
        total = 0.0
        for q in page_run:
            sql, params = bind(q.name, q.filters, reader.filter_bits(), **q.extra)
            t0 = time.perf_counter()
            _bare_run(con, sql, params, searched)
            total += time.perf_counter() - t0
        sums.append(total)
    return _stats_ms(sums)


def _bare_run(con: Any, sql: str, params: dict[str, object],
              searched: set[str] | None = None) -> None:
    """One statement on a bare connection, its free-text search (``TEXT_HITS``) included
    unless that table is in ``searched`` (already searched for this page run)."""
    from analytics.queries import text_searches

    for table, search in text_searches(sql, params):
        if searched is not None:
            key = f"{table}\0{params['text']}"
            if key in searched:
                continue
            searched.add(key)
        con.execute(f"CREATE OR REPLACE TABLE memory.main.{table} AS "
                    f"SELECT 'snap' AS snapshot, $text AS text, * FROM ({search})",
                    {"text": params["text"]})
    con.sql(sql, params=params).to_arrow_table()  # Arrow straight from the relation, no copy


def _set_filters(at: Any, filters: Any) -> None:
    """Put a filter state into the sidebar widgets, as a person would (others reset)."""
    at.date_input(key="from").set_value(filters.start)
    at.date_input(key="to").set_value(filters.end)
    at.multiselect(key="gov").set_value(list(filters.admin1))
    at.multiselect(key="actor").set_value(list(filters.actors))
    at.text_input(key="q").set_value(filters.text)


def phase_render(p: dict[str, Any]) -> dict[str, Any]:
    """Every page through AppTest, each run with ``st.cache_data`` cleared (real work)."""
    os.environ["SITREP_DB"] = p["db"]
    os.environ["SITREP_NO_SEED"] = "1"
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from analytics.db import forget_searches

    variants = variants_from_json(p["variants"])
    out: dict[str, Any] = {}
    started = time.perf_counter()
    budget = p["budget_s"] / len(PAGE_FILES)
    for page, script in PAGE_FILES.items():
        at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=600)
        t0 = time.perf_counter()
        at.run()
        if page != "Overview":
            at.switch_page(script).run()
        first = time.perf_counter() - t0
        times, errors = [], []
        page_started = time.perf_counter()
        for i in range(p["runs"]):
            if i >= 5 and time.perf_counter() - page_started > budget:
                break
            _, filters = variants[i % len(variants)]
            _set_filters(at, filters)
            st.cache_data.clear()
            forget_searches()
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                errors.append(str(at.exception[0].value)[:300])
        out[page] = {**_stats_ms(times), "first_ms": first * 1000, "errors": errors}
    return {"pages": out, "peak_rss_mb": peak_rss_mb(),
            "seconds": time.perf_counter() - started}


# --- the pandas baseline --------------------------------------------------------------------


class PandasDashboard:
    """The same page aggregates the way a typical Streamlit dashboard computes them: every
    table loaded into a DataFrame once (what ``st.cache_data`` on "load the table" keeps),
    joins done once at load, then each view filtered and grouped in pandas."""

    TABLES = ("reports", "paragraphs", "comments", "events", "evacuations", "actor_mentions",
              "place_mentions", "event_group_members")

    def __init__(self, con: Any) -> None:
        import pandas as pd

        self.pd = pd
        t = {name: con.execute(f"SELECT * FROM {name}").df() for name in self.TABLES}
        self.tables = t
        reports = t["reports"]
        reports["published"] = pd.to_datetime(reports["published"])
        self.reports = reports
        self.paragraphs = t["paragraphs"]
        self.comments = t["comments"]
        self.actor_mentions = t["actor_mentions"]
        self.article_actors = self.actor_mentions[self.actor_mentions["comment_position"].isna()]
        self.article_places = t["place_mentions"][t["place_mentions"]["comment_position"].isna()]
        heads = reports[["report_id", "title", "source"]].rename(columns={"source": "outlet"})
        events = t["events"].merge(heads, on="report_id").merge(
            t["event_group_members"], on="event_id", how="left")
        events["key"] = events["group_id"].fillna(events["event_id"])
        events["event_date"] = pd.to_datetime(events["event_date"])
        self.events = events
        evacuations = t["evacuations"].merge(heads, on="report_id")
        evacuations["event_date"] = pd.to_datetime(evacuations["event_date"])
        self.evacuations = evacuations

    def memory_mb(self) -> float:
        frames = [*self.tables.values(), self.events, self.evacuations]
        return sum(float(f.memory_usage(deep=True).sum()) for f in frames) / 1024 / 1024

    # --- the shared filters ---------------------------------------------------------------

    def _week(self, values: Any) -> Any:
        return values.dt.to_period("W-SUN").dt.start_time

    def fr(self, f: Any, text: bool = True) -> Any:
        r = self.reports
        keep = self.pd.Series(True, index=r.index)
        if f.start:
            keep &= r["published"] >= self.pd.Timestamp(f.start)
        if f.end:
            keep &= r["published"] <= self.pd.Timestamp(f.end)
        if f.sources:
            keep &= r["source"].isin(f.sources)
        if f.admin1:
            ids = self.article_places.loc[self.article_places["admin1"].isin(f.admin1),
                                          "report_id"]
            keep &= r["primary_admin1"].isin(f.admin1) | r["report_id"].isin(ids)
        if f.places:
            ids = self.article_places.loc[self.article_places["place"].isin(f.places),
                                          "report_id"]
            keep &= r["report_id"].isin(ids)
        if f.actors:
            ids = self.article_actors.loc[self.article_actors["actor"].isin(f.actors),
                                          "report_id"]
            keep &= r["report_id"].isin(ids)
        if f.event_types:
            ids = self.events.loc[self.events["event_type"].isin(f.event_types), "report_id"]
            keep &= r["report_id"].isin(ids)
        if text and f.text:
            needle = f.text.lower()
            body = self.paragraphs["text"].str.lower().str.contains(needle, regex=False)
            ids = self.paragraphs.loc[body, "report_id"]
            title = r["title"].str.lower().str.contains(needle, regex=False).fillna(False)
            keep &= title | r["report_id"].isin(ids)
        return r[keep]

    def fe(self, f: Any) -> Any:
        e = self.events
        keep = self.pd.Series(True, index=e.index)
        if f.start:
            keep &= e["event_date"] >= self.pd.Timestamp(f.start)
        if f.end:
            keep &= e["event_date"] <= self.pd.Timestamp(f.end)
        if f.admin1:
            keep &= e["admin1"].isin(f.admin1)
        if f.places:
            keep &= e["location"].isin(f.places)
        if f.actors:
            keep &= e["actor1"].isin(f.actors) | e["actor2"].isin(f.actors)
        if f.event_types:
            keep &= e["event_type"].isin(f.event_types)
        if f.sources:
            keep &= e["outlet"].isin(f.sources) | e["source"].isin(f.sources)
        if f.text:
            keep &= e["evidence"].str.lower().str.contains(f.text.lower(), regex=False)
        return e[keep]

    def fv(self, f: Any) -> Any:
        v = self.evacuations
        keep = self.pd.Series(True, index=v.index)
        if f.start:
            keep &= v["event_date"] >= self.pd.Timestamp(f.start)
        if f.end:
            keep &= v["event_date"] <= self.pd.Timestamp(f.end)
        if f.admin1:
            keep &= v["origin_admin1"].isin(f.admin1) | v["destination_admin1"].isin(f.admin1)
        if f.places:
            keep &= v["origin"].isin(f.places) | v["destination"].isin(f.places)
        if f.actors:
            keep &= v["group_name"].isin(f.actors)
        if f.sources:
            keep &= v["outlet"].isin(f.sources) | v["claimed_by"].isin(f.sources)
        if f.text:
            keep &= v["evidence"].str.lower().str.contains(f.text.lower(), regex=False)
        return v[keep]

    def fc(self, f: Any) -> Any:
        fr = self.fr(f, text=False)
        c = self.comments
        c = c[c["report_id"].isin(fr["report_id"])]
        c = c[c["sentiment_score"].between(f.sentiment[0], f.sentiment[1])]
        if f.text:
            c = c[c["text"].str.lower().str.contains(f.text.lower(), regex=False)]
        if f.actors:
            ids = self.actor_mentions.loc[self.actor_mentions["actor"].isin(f.actors),
                                          "report_id"]
            c = c[c["report_id"].isin(ids)]
        c = c.merge(fr[["report_id", "title", "published", "source"]], on="report_id")
        c["day"] = self.pd.to_datetime(c["posted_at"]).dt.normalize().fillna(c["published"])
        return c

    def fm(self, f: Any) -> Any:
        fr = self.fr(f)
        m = self.article_actors[self.article_actors["report_id"].isin(fr["report_id"])]
        return m.merge(fr[["report_id", "published"]], on="report_id")

    # --- the pages ------------------------------------------------------------------------

    def totals(self, f: Any) -> dict[str, float]:
        fr, fe, fv = self.fr(f), self.fe(f), self.fv(f)
        c = self.comments
        c = c[c["report_id"].isin(fr["report_id"])
              & c["sentiment_score"].between(f.sentiment[0], f.sentiment[1])]
        return {"reports": len(fr), "event_mentions": len(fe), "events": fe["key"].nunique(),
                "people_evacuated": float(fv["people_best"].sum()), "comments": len(c),
                "mean_sentiment": float(c["sentiment_score"].mean())}

    def overview(self, f: Any) -> dict[str, Any]:
        published = self.reports["published"]
        first, last = published.min(), published.max()
        now = self.totals(f)
        previous = f.previous_period(
            None if self.pd.isna(first) else first.date(),
            None if self.pd.isna(last) else last.date())
        before = self.totals(previous) if previous else None
        fr, fe = self.fr(f), self.fe(f)
        r = fr[fr["published"].notna()].assign(period=lambda d: self._week(d["published"]))
        r = r.groupby("period").size().rename("reports")
        e = fe[fe["event_date"].notna()].assign(period=lambda d: self._week(d["event_date"]))
        e = e.groupby("period")["key"].nunique().rename("events")
        timeline = self.pd.concat([r, e], axis=1).fillna(0).sort_index()
        latest = fr.sort_values(["published", "title"], ascending=[False, True],
                                na_position="last").head(15)
        return {"now": now, "before": before, "timeline": timeline, "latest": latest}

    def events_page(self, f: Any) -> dict[str, Any]:
        fe = self.fe(f)
        dated = fe[fe["event_date"].notna()].assign(period=lambda d: self._week(d["event_date"]))
        timeline = dated.groupby(["period", "event_type"]).agg(
            events=("key", "nunique"), mentions=("key", "size"))
        located = fe[fe["latitude"].notna() & fe["longitude"].notna()]
        points = located.groupby(["location", "admin1", "latitude", "longitude", "event_type"],
                                 dropna=False).agg(
            events=("key", "nunique"), first_date=("event_date", "min"),
            last_date=("event_date", "max")).sort_values("events", ascending=False)
        table = fe.sort_values(["event_date", "event_id"], ascending=[False, True],
                               na_position="last").head(1000)
        return {"timeline": timeline, "points": points, "table": table}

    def evacuations_page(self, f: Any) -> dict[str, Any]:
        fv = self.fv(f)
        dated = fv[fv["event_date"].notna()].assign(period=lambda d: self._week(d["event_date"]))
        over_time = dated.groupby("period").agg(
            people=("people_best", "sum"), buses=("buses", "sum"),
            evacuations=("evidence", "size"))
        over_time["cumulative"] = over_time["people"].cumsum()
        flows = fv.assign(origin=fv["origin"].fillna("unknown"),
                          destination=fv["destination"].fillna("unknown"))
        flows = flows.groupby(["origin", "destination"]).agg(
            people=("people_best", "sum"), evacuations=("evidence", "size"))
        flows = flows[flows["people"] > 0].sort_values("people", ascending=False)
        table = fv.sort_values("event_date", ascending=False, na_position="last").head(1000)
        return {"over_time": over_time, "flows": flows, "table": table}

    def actors_page(self, f: Any) -> dict[str, Any]:
        fm = self.fm(f)
        top = fm.groupby("actor").agg(mentions=("report_id", "size"),
                                      reports=("report_id", "nunique"))
        top = top.reset_index().sort_values(["mentions", "actor"], ascending=[False, True])
        names = top["actor"].tolist()
        chosen = list(f.actors) or names[:5]
        picked = fm[fm["actor"].isin(chosen) & fm["published"].notna()]
        over_time = picked.assign(period=lambda d: self._week(d["published"])).groupby(
            ["period", "actor"]).size()
        top12 = names[:12]
        pairs = fm.loc[fm["actor"].isin(top12), ["report_id", "actor"]].drop_duplicates()
        matrix = pairs.merge(pairs, on="report_id").groupby(["actor_x", "actor_y"]).size()
        actor = names[0] if names else ""
        mine = fm[fm["actor"] == actor]
        profile = {"mentions": len(mine), "reports": mine["report_id"].nunique(),
                   "first": mine["published"].min(), "last": mine["published"].max(),
                   "surfaces": sorted(mine["surface"].unique())}
        fc = self.fc(f)[["report_id", "position", "sentiment_score", "sentiment_label"]]
        in_comments = self.actor_mentions[(self.actor_mentions["actor"] == actor)
                                          & self.actor_mentions["comment_position"].notna()]
        keys = in_comments[["report_id", "comment_position"]].drop_duplicates()
        said = fc.merge(keys, left_on=["report_id", "position"],
                        right_on=["report_id", "comment_position"])
        sentiment = {"comments": len(said), "mean": said["sentiment_score"].mean(),
                     "negative": int((said["sentiment_label"] == "negative").sum()),
                     "positive": int((said["sentiment_label"] == "positive").sum())}
        fe = self.fe(f)
        theirs = fe[(fe["actor1"] == actor) | (fe["actor2"] == actor)]
        places = theirs[theirs["location"].notna()].groupby(["location", "admin1"],
                                                            dropna=False)["key"].nunique()
        places = places.sort_values(ascending=False).head(15)
        roles = theirs.assign(as_actor1=theirs["actor1"] == actor,
                              as_actor2=theirs["actor2"] == actor)
        roles = roles.groupby("event_type")[["as_actor1", "as_actor2"]].sum()
        return {"top": top.head(20), "over_time": over_time, "matrix": matrix,
                "profile": profile, "sentiment": sentiment, "places": places, "roles": roles}

    def comments_page(self, f: Any) -> dict[str, Any]:
        fc = self.fc(f)
        np_floor = (fc["sentiment_score"] * 10).floordiv(1) / 10
        histogram = fc.assign(bucket=np_floor).groupby(["bucket", "sentiment_label"]).size()
        dated = fc[fc["day"].notna()].assign(period=lambda d: self._week(d["day"]))
        over_time = dated.groupby("period")["sentiment_score"].agg(["mean", "size"])
        per_report = fc.groupby("report_id").agg(
            title=("title", "first"), published=("published", "first"),
            mean_sentiment=("sentiment_score", "mean"), comments=("position", "size"))
        per_report = per_report.sort_values(["comments", "published"],
                                            ascending=[False, False]).head(15)
        in_comments = self.actor_mentions[self.actor_mentions["comment_position"].notna()]
        scores = fc[["report_id", "position", "sentiment_score"]]
        by_actor = scores.merge(in_comments[["report_id", "comment_position", "actor"]],
                            left_on=["report_id", "position"],
                            right_on=["report_id", "comment_position"])
        by_actor = by_actor.groupby("actor")["sentiment_score"].agg(["mean", "size"])
        by_actor = by_actor[by_actor["size"] >= 1].sort_values("size", ascending=False).head(15)
        commenters = fc[fc["author"].notna()].groupby("author")["sentiment_score"].agg(
            ["size", "mean"]).sort_values("size", ascending=False).head(15)
        ordered = fc.sort_values(["sentiment_score", "report_id", "position"])
        extremes = (ordered.head(5), ordered.tail(5))
        return {"histogram": histogram, "over_time": over_time, "per_report": per_report,
                "by_actor": by_actor, "commenters": commenters, "extremes": extremes}

    def reports_page(self, f: Any) -> dict[str, Any]:
        found = self.fr(f).sort_values(["published", "title"], ascending=[False, True],
                                       na_position="last").head(500)
        chosen = found["report_id"].iloc[0] if len(found) else ""
        report = self.reports[self.reports["report_id"] == chosen]
        paragraphs = self.paragraphs[self.paragraphs["report_id"] == chosen]
        comments = self.comments[self.comments["report_id"] == chosen]
        actors = self.article_actors[self.article_actors["report_id"] == chosen]
        places = self.article_places[self.article_places["report_id"] == chosen]
        events = self.events[self.events["report_id"] == chosen]
        return {"found": found, "report": report, "paragraphs": paragraphs.sort_values("position"),
                "comments": comments.sort_values("position"), "actors": actors, "places": places,
                "events": events}

    def frame(self, f: Any) -> Any:
        groups = [
            self.tables["place_mentions"].groupby("admin1").size(),
            self.tables["place_mentions"].groupby("place").size(),
            self.actor_mentions.groupby("actor").size(),
            self.events.groupby("event_type").size(),
            self.reports.groupby("source").size(),
        ]
        return [g.sort_values(ascending=False) for g in groups]

    def page(self, name: str, f: Any) -> object:
        return {
            FRAME: self.frame, "Overview": self.overview, "Events": self.events_page,
            "Evacuations": self.evacuations_page, "Actors": self.actors_page,
            "Comments": self.comments_page, "Reports": self.reports_page,
        }[name](f)


def phase_baseline(p: dict[str, Any]) -> dict[str, Any]:
    """The pandas baseline: load the tables once, then compute each page per filter state."""
    import duckdb

    from analytics.store.snapshots import current_snapshot

    variants = variants_from_json(p["variants"])
    before = process_memory_mb(os.getpid())
    started = time.perf_counter()
    con = duckdb.connect(str(current_snapshot(Path(p["db"]))), read_only=True)
    dashboard = PandasDashboard(con)
    con.close()
    load_s = time.perf_counter() - started
    loaded = process_memory_mb(os.getpid())
    pages = [FRAME, *PAGE_QUERIES]
    times: dict[str, list[float]] = {page: [] for page in pages}
    checks: list[dict[str, float]] = []
    started = time.perf_counter()
    for i, (_, filters) in enumerate(variants):
        if i >= 5 and time.perf_counter() - started > p["budget_s"]:
            break
        for page in pages:
            t0 = time.perf_counter()
            dashboard.page(page, filters)
            times[page].append(time.perf_counter() - t0)
        totals = dashboard.totals(filters)
        checks.append({k: float(totals[k]) for k in ("reports", "event_mentions", "comments")})
    return {
        "load_s": load_s,
        "frames_mb": dashboard.memory_mb(),
        "rss_growth_mb": loaded - before,
        "peak_rss_mb": peak_rss_mb(),
        "pages": {page: _stats_ms(times[page]) for page in pages},
        "checks": checks,
    }


# --- cold start ---------------------------------------------------------------------------


def phase_coldstart(p: dict[str, Any]) -> dict[str, Any]:
    """Seconds from ``streamlit run`` to the Overview's first metric in headless Chromium,
    then every page visited with URL filters while the server's memory is sampled; last,
    the same cold start for an app that only draws one metric (Streamlit's own floor)."""
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    variants = variants_from_json(p["variants"])
    env = {**os.environ, "SITREP_DB": p["db"], "SITREP_NO_SEED": "1"}
    loads: dict[str, list[float]] = {}
    empty_app = Path(p["log"]).with_name("empty_app.py")
    empty_app.write_text('import streamlit as st\n\nst.metric("Reports", "1")\n',
                         encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _ColdStart(page, PROJECT_DIR / "app.py", env, Path(p["log"])) as sitrep:
                browse_started = time.perf_counter()
                # every page once without filters, then more filter states while the time
                # budget lasts
                visits = [(name, path, filters) for _, filters in
                          variants[: p["browse_variants"]] for name, path in PAGE_URLS.items()]
                for i, (name, path, filters) in enumerate(visits):
                    if i >= len(PAGE_URLS) and time.perf_counter() - browse_started > p[
                            "budget_s"]:
                        break
                    query = urlencode(filters.to_query_params(), doseq=True)
                    t0 = time.perf_counter()
                    page.goto(f"{sitrep.url}/{path}" + (f"?{query}" if query else ""),
                              timeout=120_000)
                    _wait_rendered(page, name)
                    loads.setdefault(name, []).append(time.perf_counter() - t0)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            empty_log = Path(p["log"]).with_name("streamlit-empty.log")
            with _ColdStart(page, empty_app, env, empty_log) as empty:
                pass
        finally:
            browser.close()
    return {
        **sitrep.times,
        "imports_s": _import_seconds(),
        "server_peak_mb": sitrep.peak_mb,
        "empty_app_s": empty.times["cold_start_s"],
        "page_loads": {name: _stats_ms(seconds) for name, seconds in loads.items()},
    }


class _ColdStart:
    """Starts ``streamlit run SCRIPT`` and times it up to the first visible metric in
    ``page``; samples the server's memory until the block ends, then stops the server."""

    def __init__(self, page: Any, script: Path, env: dict[str, str], log: Path) -> None:
        self.page, self.script, self.env, self.log = page, script, env, log
        self.url = ""
        self.times: dict[str, float] = {}
        self.peak_mb = 0.0
        self._server: subprocess.Popen[bytes] | None = None
        self._sampler: TreeSampler | None = None

    def __enter__(self) -> _ColdStart:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        with self.log.open("w", encoding="utf-8") as log:
            started = time.perf_counter()
            self._server = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(self.script),
                 "--server.port", str(port), "--server.address", "127.0.0.1",
                 "--server.headless", "true", "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none"],
                cwd=PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            self._sampler = TreeSampler(self._server.pid, interval=0.05).__enter__()
            healthy = _wait_healthy(self.url, self._server, timeout=120)
            self.page.goto(self.url, timeout=120_000)
            loaded = time.perf_counter() - started
            self.page.locator('[data-testid="stMetric"]').first.wait_for(
                state="visible", timeout=120_000)
            self.times = {"cold_start_s": time.perf_counter() - started, "healthy_s": healthy,
                          "page_loaded_s": loaded}
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sampler is not None:
            self._sampler.__exit__()
            self.peak_mb = self._sampler.peak_mb
            self._sampler = None
        server, self._server = self._server, None
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


def _import_seconds() -> float:
    """Seconds a fresh Python takes to import what app.py and the pages import."""
    code = ("import time; t = time.perf_counter(); import streamlit, analytics.ui, "
            "analytics.charts, analytics.selections, analytics.highlight; "
            "print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=120, check=False)
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return math.nan


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float) -> float:
    import urllib.request

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError("the server did not answer its health check")


def _wait_rendered(page: Any, title: str) -> None:
    page.locator("h1", has_text=title).first.wait_for(state="visible", timeout=120_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        state="attached", timeout=120_000)


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ingest": phase_ingest,
    "stages": phase_stages,
    "scale": phase_scale,
    "queries": phase_queries,
    "render": phase_render,
    "baseline": phase_baseline,
    "coldstart": phase_coldstart,
}


def phase_main(argv: Sequence[str]) -> int:
    """Entry point of a phase process: ``NAME IN.json OUT.json``."""
    name, source, target = argv
    payload = json.loads(Path(source).read_text(encoding="utf-8"))
    result = PHASES[name](payload)
    Path(target).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


def run_phase(name: str, payload: dict[str, Any], work: Path,
              timeout: float = 3600) -> dict[str, Any]:
    """Run one phase in a fresh Python process; its stdout/stderr go to a log file."""
    source, target = work / f"phase-{name}.in.json", work / f"phase-{name}.out.json"
    log = work / f"phase-{name}.log"
    source.write_text(json.dumps(payload, default=str), encoding="utf-8")
    target.unlink(missing_ok=True)
    code = ("import sys; from analytics.bench import phase_main; "
            "sys.exit(phase_main(sys.argv[1:]))")
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-c", code, name, str(source), str(target)],
                              cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT,
                              timeout=timeout, check=False)
    if done.returncode != 0 or not target.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-8:]
        raise RuntimeError(f"phase {name} failed (exit {done.returncode}): "
                           + " | ".join(tail))
    return json.loads(target.read_text(encoding="utf-8"))


# --- the run --------------------------------------------------------------------------------


def run_bench(config: Config, argv: Sequence[str] = ()) -> tuple[dict[str, Any], str]:
    """Every phase in order; a failed phase is reported and the others still run when they
    can. Returns the raw results and the Markdown text."""
    from analytics.bench_corpus import write_corpus

    started = time.perf_counter()
    work = config.work
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"config": {k: str(v) if isinstance(v, Path) else v
                                          for k, v in asdict(config).items()},
                               "machine": machine(), "errors": {}, "load": [_load()],
                               "argv": list(argv), "date": datetime.now().isoformat("T", "seconds")}
    errors: dict[str, str] = results["errors"]

    def attempt(name: str, step: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        t0 = time.perf_counter()
        try:
            results[name] = step()
        except Exception as error:
            errors[name] = f"{type(error).__name__}: {error}"
            _log(f"{name} FAILED: {errors[name]}")
            return None
        _log(f"{name} done in {time.perf_counter() - t0:.1f} s")
        return results[name]

    _log(f"writing a corpus of {config.reports:,} reports (seed {config.seed})")
    corpus = attempt("corpus", lambda: write_corpus(work / "corpus", config.reports,
                                                    config.seed).to_json())
    base_db, big_db = work / "ingest" / "sitrep.duckdb", work / "query" / "sitrep.duckdb"
    for folder in (base_db.parent, big_db.parent):
        folder.mkdir(parents=True, exist_ok=True)
    if corpus:
        _log(f"ingesting {config.reports:,} reports on {config.workers} workers")
        attempt("ingest", lambda: run_phase("ingest", {
            "files": corpus["files"], "db": str(base_db), "workers": config.workers}, work))
        sample = work / "stages" / "sample.jsonl"
        sample.parent.mkdir(parents=True, exist_ok=True)
        with Path(corpus["files"][0]).open(encoding="utf-8") as source:
            sample.write_text("".join(line for _, line in zip(range(config.stage_reports),
                                                               source, strict=False)),
                              encoding="utf-8")
        _log(f"timing every stage on {config.stage_reports} reports in one process")
        attempt("stages", lambda: run_phase("stages", {
            "file": str(sample), "db": str(work / "stages" / "sitrep.duckdb")}, work))
    scale = None
    if "ingest" in results:
        _log(f"building the query database ({config.db_reports:,} reports)")
        scale = attempt("scale", lambda: run_phase("scale", {
            "base": str(base_db), "db": str(big_db), "target": config.db_reports}, work))
    if scale:
        _log(f"queries: {config.runs} runs per page")
        queries = attempt("queries", lambda: run_phase("queries", {
            "db": str(big_db), "runs": config.runs,
            "budget_s": config.budget_s["queries"]}, work))
        variants = queries["variants"] if queries else None
        if variants is None:
            errors.setdefault("render", "skipped: the queries phase gave no filter states")
        else:
            _log(f"render: {config.render_runs} AppTest runs per page")
            attempt("render", lambda: run_phase("render", {
                "db": str(big_db), "variants": variants, "runs": config.render_runs,
                "budget_s": config.budget_s["render"]}, work))
            _log("baseline: pandas")
            attempt("baseline", lambda: run_phase("baseline", {
                "db": str(big_db), "variants": variants,
                "budget_s": config.budget_s["baseline"]}, work))
            _log("cold start: streamlit run + headless Chromium")
            attempt("coldstart", lambda: run_phase("coldstart", {
                "db": str(big_db), "variants": variants,
                "browse_variants": config.browse_variants,
                "budget_s": config.budget_s["browse"],
                "log": str(work / "streamlit.log")}, work))
    results["seconds"] = time.perf_counter() - started
    results["load"].append(_load())
    return results, format_results(results)


def main(args: argparse.Namespace, argv: Sequence[str] = ()) -> int:
    """``python -m analytics bench``: run, print the tables, write them to ``--out``."""
    config = Config.from_args(args)
    results, text = run_bench(config, argv)
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(text, encoding="utf-8")
    (config.work / "results.json").write_text(json.dumps(results, indent=1, default=str),
                                              encoding="utf-8")
    print(text)
    print(f"written to {config.out}", file=sys.stderr)
    return 1 if results["errors"] else 0


# --- Markdown -------------------------------------------------------------------------------


def _num(value: object, digits: int = 0) -> str:
    if value is None:
        return "—"
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "—"
    return f"{number:,.{digits}f}"


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("✓" if ok else "✗")


def _at_most(value: object, floor: float) -> bool | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number <= floor


def _at_least(value: object, floor: float) -> bool | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number >= floor


def _table(header: Sequence[str], rows: Sequence[Sequence[str]],
           align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _ms(stats: dict[str, Any] | None, key: str) -> str:
    return _num((stats or {}).get(key), 0 if (stats or {}).get(key, 0) >= 100 else 1)


def format_results(res: dict[str, Any]) -> str:
    cfg, m = res["config"], res["machine"]
    floors: list[tuple[str, str, bool | None]] = []
    mode = "Quick" if cfg["quick"] else "Full"
    lines = [
        "# Sitrep benchmark results",
        "",
        f"{mode} run of `python -m analytics bench {' '.join(res.get('argv', []))}`".rstrip()
        + f" on {res['date']}, seed {cfg['seed']}; the run took "
        f"{res.get('seconds', 0) / 60:.1f} min. How to run and what each figure means: "
        "`benchmarks/README.md`.",
        "",
        f"**Machine:** {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['memory_gb']} GB "
        f"memory, {m['system']}; Python {m['python']}, DuckDB {m['duckdb']}, "
        f"Streamlit {m['streamlit']}, pandas {m['pandas']}."
        + (" Load average (1 min) at the start and end of the run: "
           + " and ".join(f"{x:.1f}" for x in res["load"])
           + " — above 0.5 or so, other work was sharing the cores."
           if res.get("load") else ""),
        "",
    ]
    corpus = res.get("corpus")
    if corpus:
        lines += [
            f"**Corpus:** {corpus['reports']:,} reports with {corpus['comments']:,} comments "
            f"(per report: median {corpus['median_comments']:g}, mean "
            f"{corpus['mean_comments']:.1f}, max {corpus['max_comments']:,}, "
            f"{corpus['no_comment_reports']:,} without any), "
            f"{corpus['text_bytes'] / 1e6:,.1f} MB of text. Bodies recombined from "
            f"{corpus['body_sentences']:,} sentences of {corpus['fakes_articles']} FA-KES "
            f"articles and the seed report; comments are the seed's {corpus['seed_comments']} "
            f"comments, verbatim or recombined from their {corpus['comment_sentences']} "
            "sentences and quotes of the news; dates spread over 2011–2019.",
            "",
        ]
    lines += _ingest_section(res, floors)
    lines += _scale_section(res)
    lines += _query_section(res, floors)
    lines += _render_section(res, floors)
    lines += _baseline_section(res, floors)
    lines += _coldstart_section(res, floors)
    lines += ["## Floors", ""]
    lines += _table(["Floor (2 cores)", "Figure", "Met"],
                    [[name, value, _met(ok)] for name, value, ok in floors], "lrc")
    if res.get("errors"):
        lines += ["## Errors", ""]
        lines += [f"- **{phase}**: {message}" for phase, message in res["errors"].items()]
        lines.append("")
    return "\n".join(lines)


def _ingest_section(res: dict[str, Any], floors: list[tuple[str, str, bool | None]]) -> list[str]:
    lines = ["## Ingestion", ""]
    ing, corpus = res.get("ingest"), res.get("corpus")
    if not ing or not corpus:
        return [*lines, f"Not measured: {res['errors'].get('ingest', 'no corpus')}", ""]
    seconds = ing["seconds"]
    rate = ing["added"] / seconds
    per_k = 1000 / max(ing["added"], 1)
    ok = _at_least(rate, FLOORS["ingest_reports_per_s"])
    floors.append((f"Ingestion ≥ {FLOORS['ingest_reports_per_s']:.0f} reports/s",
                   f"{rate:,.1f} reports/s", ok))
    lines += [
        f"The real pipeline (`analytics.ingest.ingest`: read, extract, sentiment, write, event "
        f"groups, publish) on {ing['added']:,} reports with {ing['comments']:,} comments, "
        f"{ing['workers']} worker processes; {ing['rejected']} rejected.",
        "",
    ]
    lines += _table(["Figure", "Value", "Floor", "Met"], [
        ["Reports/s", _num(rate, 1), f"≥ {FLOORS['ingest_reports_per_s']:.0f}", _met(ok)],
        ["Comments/s", _num(ing["comments"] / seconds), "", ""],
        ["MB of text/s", _num(corpus["text_bytes"] / 1e6 / seconds, 2), "", ""],
        ["Wall time (s)", _num(seconds, 1), "", ""],
        ["CPU time, ingest process (s)", _num(ing.get("main_cpu_s"), 1), "", ""],
        ["CPU time, workers (s)", _num(ing.get("workers_cpu_s"), 1), "", ""],
        ["Peak memory, process tree (MB)", _num(ing["tree_peak_mb"]), "", ""],
        ["Peak memory, ingest process (MB)", _num(ing["main_peak_mb"]), "", ""],
        ["Peak memory, largest worker (MB)", _num(ing["worker_peak_mb"]), "", ""],
        ["Database size per 1,000 reports (MB)", _num(ing["db_mb"] * per_k, 1), "", ""],
        ["Snapshot size per 1,000 reports (MB)", _num(ing["snapshot_mb"] * per_k, 1), "", ""],
    ], "lrlc")
    lines.append("Process-tree memory is the sampled sum of the proportional set sizes (shared "
                 "pages split) of the ingest process and its workers.")
    lines.append("")
    stages = res.get("stages")
    lines += ["### Share of time per stage", ""]
    if not stages:
        return [*lines, f"Not measured: {res['errors'].get('stages', '')}", ""]
    total = sum(s["seconds"] for s in stages["stages"])
    n = max(stages["reports"], 1)
    merged: dict[tuple[str, str], float] = {}
    for s in stages["stages"]:
        merged[(s["stage"], s["side"])] = merged.get((s["stage"], s["side"]), 0.0) + s["seconds"]
    rows = [[stage, side, f"{seconds / total * 100:.1f} %", _num(seconds / n * 1000, 2)]
            for (stage, side), seconds in sorted(merged.items(), key=lambda kv: -kv[1])]
    lines.append(
        f"The same pipeline in one process on {stages['reports']:,} reports "
        f"({stages['comments']:,} comments), each stage's own time (callees timed apart): "
        f"{stages['seconds']:.1f} s, {stages['reports'] / stages['seconds']:.1f} reports/s "
        "on one core.")
    lines.append("")
    lines += _table(["Stage", "Runs in", "Share", "ms per report"], rows, "llrr")
    if stages.get("untimed"):
        lines += [f"Not found, so counted in their callers: {', '.join(stages['untimed'])}.",
                  ""]
    worker = sum(v for (_, side), v in merged.items() if side == "worker") / n
    main = sum(v for (_, side), v in merged.items() if side == "main") / n
    cores = res["machine"]["cores"]
    lines.append(
        f"Worker side (process pool): {worker * 1000:.1f} ms per report, so at most "
        f"{cores / worker if worker else math.inf:,.0f} reports/s on {cores} cores; main "
        f"process (reading, hashing, writing, publishing): {main * 1000:.1f} ms per report, "
        f"at most {1 / main if main else math.inf:,.0f} reports/s (it shares the cores with "
        "the workers).")
    lines.append("")
    return lines


def _scale_section(res: dict[str, Any]) -> list[str]:
    lines = ["## Query database", ""]
    scale = res.get("scale")
    if not scale:
        return [*lines, f"Not built: {res['errors'].get('scale', 'no ingested sample')}", ""]
    c = scale["counts"]
    lines.append(
        f"The {scale['base_reports']:,} ingested reports copied {scale['copies']} times in SQL "
        f"(new ids, dates shifted by {SCALE_STEP_DAYS}-day steps within 2011–2019), event "
        "groups rebuilt and a snapshot published, as after an ingest.")
    lines.append("")
    lines += _table(["Figure", "Value"], [
        ["Reports", _num(c["reports"])],
        ["Comments", _num(c["comments"])],
        ["Paragraphs", _num(c["paragraphs"])],
        ["Event mentions", _num(c["events"])],
        ["Event groups", _num(c["event_groups"])],
        ["Evacuations", _num(c["evacuations"])],
        ["Actor mentions", _num(c["actor_mentions"])],
        ["Place mentions", _num(c["place_mentions"])],
        ["Snapshot size (MB)", _num(scale["snapshot_mb"])],
        ["Snapshot size per 1,000 reports (MB)",
         _num(scale["snapshot_mb"] * 1000 / max(c["reports"], 1), 1)],
        ["Multiplying rows (s)", _num(scale["multiply_s"], 1)],
        ["Rebuilding event groups (s)", _num(scale["group_s"], 1)],
        ["Publishing the snapshot (s)", _num(scale["publish_s"], 1)],
    ], "lr")
    return lines


def _query_section(res: dict[str, Any], floors: list[tuple[str, str, bool | None]]) -> list[str]:
    lines = ["## Queries per page", ""]
    q = res.get("queries")
    if not q:
        return [*lines, f"Not measured: {res['errors'].get('queries', '')}", ""]
    reports = _num(res.get("scale", {}).get("counts", {}).get("reports"))
    lines.append(
        f"Each page's named queries (as its script runs them) through `analytics.queries.run` "
        f"on a `Reader` over the {reports}-report snapshot, Streamlit's cache bypassed and the "
        "Reader's kept free-text matches dropped before each page's run (so a text filter's "
        "search counts once per page, as on its first use); filters "
        "cycle through no filter, a date range, an actor, a governorate and free text (four "
        "values each). A page's latency is the sum of its queries in one render. The floor "
        "is DuckDB alone running the page's heaviest query on an open connection (same "
        "parameters, Arrow result, no pandas), each run paired with the same query through "
        "Sitrep's `run` so that both meet the same machine load.")
    lines.append("")
    rows = []
    worst = 0.0
    for page, stats in q["pages"].items():
        floor = q["floors"].get(page, {})
        ok = _at_most(stats["p95"], FLOORS["query_p95_ms"])
        if page != FRAME:
            worst = max(worst, stats["p95"])
        rows.append([page, str(len(stats["queries"])), str(stats["n"]), _ms(stats, "p50"),
                     _ms(stats, "p95"), f"≤ {FLOORS['query_p95_ms']:.0f}", _met(ok),
                     f"`{floor.get('query', '—')}`", _ms(floor.get("sitrep"), "p95"),
                     _ms(floor.get("paired"), "p95"), _ms(floor, "p95")])
    lines += _table(["Page", "Queries", "Runs", "p50 (ms)", "p95 (ms)", "Floor", "Met",
                     "Heaviest query", "its p95 (ms)", "paired: Sitrep p95 (ms)",
                     "DuckDB alone p95 (ms)"], rows, "lrrrrlclrrr")
    lines.append(f"The frame's filter options run on every page (cached per snapshot in the "
                 f"server); first run after attaching the snapshot: "
                 f"{q['first_filter_options_ms']:,.0f} ms. Peak memory of the query process "
                 f"(Reader and results): {q['peak_rss_mb']:,.0f} MB.")
    lines.append("")
    page_ok = [_at_most(s["p95"], FLOORS["query_p95_ms"]) for p, s in q["pages"].items()
               if p != FRAME]
    floors.append((f"Every page's queries p95 ≤ {FLOORS['query_p95_ms']:.0f} ms",
                   f"worst {worst:,.0f} ms", all(page_ok) if page_ok else None))
    slow = sorted(((stats["p95"], page, key) for page, s in q["pages"].items()
                   for key, stats in s["queries"].items()), reverse=True)[:8]
    lines += ["Slowest single queries:", ""]
    lines += _table(["Query", "Page", "p50 (ms)", "p95 (ms)"],
                    [[f"`{key}`", page, _ms(q["pages"][page]["queries"][key], "p50"),
                      _num(p95, 0)] for p95, page, key in slow], "llrr")
    search = q.get("comment_search")
    if search:
        lines.append(
            "Free text on comments is one `contains` over every comment's lowercased text. "
            "The benchmark's comments are recombined from the seed's 27, so DuckDB's "
            "dictionary compression leaves few distinct strings to search; real comments "
            "are mostly distinct. The same search (the four texts, three runs each) on the "
            "same comments, and on a copy where each comment has two numbers added so that "
            "every one differs:")
        lines.append("")
        lines += _table(["Comments searched", "Matches", "p50 (ms)", "p95 (ms)"], [
            ["The benchmark's comments", _num(search["benchmark"]["matches"]),
             _ms(search["benchmark"], "p50"), _ms(search["benchmark"], "p95")],
            ["The same, each made distinct", _num(search["distinct"]["matches"]),
             _ms(search["distinct"], "p50"), _ms(search["distinct"], "p95")],
        ], "lrrr")
    return lines


def _render_section(res: dict[str, Any], floors: list[tuple[str, str, bool | None]]) -> list[str]:
    lines = ["## Full render (AppTest)", ""]
    r = res.get("render")
    if not r:
        return [*lines, f"Not measured: {res['errors'].get('render', '')}", ""]
    lines.append(
        "Each page through `AppTest` (app.py with the sidebar filters set as a person would), "
        "`st.cache_data` and the Reader's kept free-text matches cleared before every run so "
        "that each render does its real work: "
        "frame, queries, charts, tables.")
    lines.append("")
    rows, worst, oks, errors = [], 0.0, [], []
    q = (res.get("queries") or {}).get("pages", {})
    frame_p50 = q.get(FRAME, {}).get("p50", math.nan)
    for page, stats in r["pages"].items():
        beyond = stats["p50"] - q.get(page, {}).get("p50", math.nan) - frame_p50
        ok = _at_most(stats["p95"], FLOORS["render_p95_ms"])
        oks.append(ok)
        worst = max(worst, stats["p95"] if not math.isnan(stats["p95"]) else 0)
        errors += [f"{page}: {e}" for e in stats["errors"]]
        rows.append([page, str(stats["n"]), _ms(stats, "p50"), _ms(stats, "p95"),
                     f"≤ {FLOORS['render_p95_ms']:.0f}", _met(ok), _num(beyond),
                     _num(stats["first_ms"])])
    lines += _table(["Page", "Runs", "p50 (ms)", "p95 (ms)", "Floor", "Met",
                     "p50 beyond queries (ms)", "First render (ms)"], rows, "lrrrlcrr")
    lines.append("“Beyond queries”: the render's p50 minus the p50 of the page's and the "
                 "frame's queries — Streamlit, charts and tables (phases run minutes apart: on a "
                 "busy machine this difference is rough, even negative). The first render of "
                 "a page includes importing modules and attaching the snapshot.")
    lines.append("")
    lines.append(f"Peak memory of the AppTest process: {r['peak_rss_mb']:,.0f} MB. "
                 + (f"Errors: {'; '.join(errors[:5])}." if errors else "No page raised."))
    lines.append("")
    floors.append((f"Every page's full render p95 ≤ {FLOORS['render_p95_ms']:.0f} ms",
                   f"worst {worst:,.0f} ms", all(oks) if oks and None not in oks else None))
    return lines


def _baseline_section(res: dict[str, Any],
                      floors: list[tuple[str, str, bool | None]]) -> list[str]:
    lines = ["## Baseline: pandas", ""]
    b, q = res.get("baseline"), res.get("queries")
    if not b or not q:
        return [*lines, f"Not measured: {res['errors'].get('baseline', '')}", ""]
    agree = sum(1 for x, y in zip(b["checks"], q["checks"], strict=False) if x == y)
    lines.append(
        "The same page aggregates the way a typical Streamlit dashboard computes them: every "
        f"table read into pandas once ({b['load_s']:.1f} s; DataFrames "
        f"{b['frames_mb']:,.0f} MB deep, process +{b['rss_growth_mb']:,.0f} MB), then each "
        "page filtered and grouped in pandas for the same filter states. The baseline's "
        "overview totals (reports, event mentions, comments) equal Sitrep's for "
        f"{agree} of {min(len(b['checks']), len(q['checks']))} filter states.")
    lines.append("")
    rows, oks, worst = [], [], math.inf
    for page, stats in q["pages"].items():
        base = b["pages"].get(page, {})
        ratio = base.get("p95", math.nan) / stats["p95"] if stats["p95"] else math.nan
        ok = _at_least(ratio, FLOORS["baseline_ratio"])
        if page != FRAME:
            oks.append(ok)
            worst = min(worst, ratio) if not math.isnan(ratio) else worst
        alone = q["floors"].get(page, {}).get("page") or {}
        ceiling = (base.get("p95", math.nan) / alone["p95"] if alone.get("p95")
                   else math.nan)
        rows.append([page, str(base.get("n", 0)), _ms(stats, "p95"), _ms(base, "p95"),
                     _num(ratio, 1), f"≥ {FLOORS['baseline_ratio']:.0f}×", _met(ok),
                     _ms(alone, "p95"), _num(ceiling, 1)])
    mem_ratio = b["peak_rss_mb"] / q["peak_rss_mb"] if q["peak_rss_mb"] else math.nan
    mem_ok = _at_least(mem_ratio, 1.0)
    lines += _table(["Page", "pandas runs", "Sitrep p95 (ms)", "pandas p95 (ms)",
                     "pandas / Sitrep", "Floor", "Met", "DuckDB alone, page p95 (ms)",
                     "pandas / DuckDB alone"], rows, "lrrrrlcrr")
    lines.append("“DuckDB alone, page”: every statement of the page run by DuckDB on a bare "
                 "connection (Arrow results, the text search once), summed per run — the "
                 "least a page built on DuckDB statements can take; “pandas / DuckDB alone” "
                 "is the most any such page could reach against this baseline.")
    lines.append("")
    lines += _table(["Memory", "Sitrep", "pandas", "pandas / Sitrep", "Floor", "Met"], [
        ["Peak memory of the process (MB)", _num(q["peak_rss_mb"]), _num(b["peak_rss_mb"]),
         _num(mem_ratio, 1), "Sitrep lower", _met(mem_ok)],
    ], "lrrrlc")
    floors.append((f"≥ {FLOORS['baseline_ratio']:.0f}× faster than pandas at p95, every page",
                   f"lowest {worst:,.1f}×" if worst != math.inf else "—",
                   all(oks) if oks and None not in oks else None))
    floors.append(("Less memory than the pandas baseline",
                   f"{q['peak_rss_mb']:,.0f} vs {b['peak_rss_mb']:,.0f} MB", mem_ok))
    return lines


def _coldstart_section(res: dict[str, Any],
                       floors: list[tuple[str, str, bool | None]]) -> list[str]:
    lines = ["## Cold start and server memory", ""]
    c = res.get("coldstart")
    if not c:
        return [*lines, f"Not measured: {res['errors'].get('coldstart', '')}", ""]
    cold_ok = _at_most(c["cold_start_s"], FLOORS["cold_start_s"])
    mem_ok = _at_most(c["server_peak_mb"], FLOORS["server_peak_mb"])
    lines.append(
        "`streamlit run app.py` on the existing query database, Chromium (headless) already "
        "open: seconds until the Overview's first metric is visible. Then every page is "
        "opened with URL filters (the server's cache on, as in use) while the server's memory "
        "is sampled every 50 ms.")
    lines.append("")
    lines += _table(["Figure", "Value", "Floor", "Met"], [
        ["Cold start to first page (s)", _num(c["cold_start_s"], 2),
         f"≤ {FLOORS['cold_start_s']:.0f}", _met(cold_ok)],
        ["of which: server answers its health check (s)", _num(c["healthy_s"], 2), "", ""],
        ["of which: page HTML and scripts loaded (s)", _num(c.get("page_loaded_s"), 2), "",
         ""],
        ["Importing the app's modules in a fresh Python (s)", _num(c.get("imports_s"), 2),
         "", ""],
        ["The same cold start for an app that only draws one metric (s)",
         _num(c.get("empty_app_s"), 2), "", ""],
        ["Server peak memory (MB)", _num(c["server_peak_mb"]),
         f"≤ {FLOORS['server_peak_mb']:,.0f}", _met(mem_ok)],
    ], "lrlc")
    lines += _table(["Page in Chromium", "Loads", "p50 (ms)", "p95 (ms)"],
                    [[page, str(s["n"]), _ms(s, "p50"), _ms(s, "p95")]
                     for page, s in c["page_loads"].items()], "lrrr")
    floors.append((f"Cold start ≤ {FLOORS['cold_start_s']:.0f} s",
                   f"{c['cold_start_s']:.2f} s", cold_ok))
    floors.append((f"Server peak memory ≤ {FLOORS['server_peak_mb'] / 1024:.1f} GB",
                   f"{c['server_peak_mb']:,.0f} MB", mem_ok))
    return lines


def iter_figures(text: str) -> Iterator[tuple[str, list[str]]]:
    """(section, cells) of every table row of a results file (for tests and tools)."""
    section = ""
    for line in text.splitlines():
        if line.startswith("## ") or line.startswith("### "):
            section = line.lstrip("#").strip()
        elif line.startswith("| ") and not line.startswith("|---"):
            yield section, [cell.strip() for cell in line.strip().strip("|").split("|")]
