"""The ingest pipeline: discover → read → enrich → store → publish.

Reading and enrichment are pure and run in a process pool (both cores); only the main
process touches the database. Reports are written in batches, each batch one transaction;
if a batch fails it is retried report by report, so a report is always stored whole or not
at all and one bad report costs only itself. One writer at a time per database is enforced
with a lock file (DuckDB allows a single writing process). At the end the run is published
as a read-only snapshot for the dashboard (``analytics.store.snapshots``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path

from filelock import FileLock, Timeout

from analytics.extraction import enrich, preload
from analytics.identity import content_hash, identity_key, report_id
from analytics.models import Comment, ReadResult, Rejection, Report
from analytics.readers import ReaderOptions, discover, is_collection, read_file
from analytics.store.snapshots import publish
from analytics.store.writer import FactColumns, PreparedReport, Store

BATCH_SIZE = 500
CHECKPOINT_EVERY = "64MB"
"""WAL size from which DuckDB checkpoints while an ingest writes (see ``ingest``)."""
CHUNK_SIZE = 50


@dataclass
class FileOutcome:
    """What happened to one input file (or one rejected path)."""

    path: str
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """One word for a result line: added / replaced / unchanged / rejected / partial."""
        loaded = self.added + self.replaced + self.unchanged
        if self.rejections:
            return "partial" if loaded else "rejected"
        if self.added:
            return "added"
        return "replaced" if self.replaced else "unchanged"


@dataclass
class IngestSummary:
    run_id: str
    files_read: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    comments: int = 0
    skipped: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, FileOutcome] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.rejections

    def counts(self) -> dict[str, int]:
        return {
            "files_read": self.files_read,
            "added": self.added,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "comments": self.comments,
            "rejected": len(self.rejections),
        }


class DatabaseBusy(Exception):
    """Another process holds the database for writing and did not let go in time."""


ProgressFactory = Callable[[int], "Progress"]


class Progress:
    """Minimal progress sink; the CLI passes a tqdm-backed one."""

    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


def ingest(
    paths: Sequence[Path],
    db_path: Path,
    options: ReaderOptions | None = None,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
    lock_timeout: float = 600.0,
) -> IngestSummary:
    """Ingest files and folders into ``db_path`` and publish a snapshot for readers."""
    options = options or ReaderOptions()
    started = time.perf_counter()
    summary = IngestSummary(run_id=uuid.uuid4().hex[:12])
    found = discover(paths)
    summary.skipped = [str(p) for p in found.skipped]
    for rejection in found.rejections:
        _outcome(summary, rejection.origin).rejections.append(rejection)
        summary.rejections.append(rejection)
    lock = FileLock(str(db_path) + ".lock")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout as error:
        raise DatabaseBusy(
            f"{db_path} is being written by another ingest; gave up after {lock_timeout:.0f} s"
        ) from error
    try:
        with _cycle_collector_paused(), Store(db_path) as store:
            # DuckDB's own threads would only take turns with the workers on the cores while
            # reports flow in: one thread writes the batches with less CPU time in all
            store.con.execute("SET threads = 1")
            # DuckDB checkpoints every 16 MB of WAL by default: about every batch here, each
            # time compressing the tables' last, partly filled row groups again. Every 64 MB
            # does it a quarter as often: ~0.8 s less CPU in a 5,000-report ingest (the
            # memory held before a checkpoint stays bounded; the last one is publish's)
            store.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_EVERY}'")
            store.start_run(summary.run_id, [str(p) for p in paths])
            writer = _BatchWriter(store, summary)
            read: set[str] = set()
            for result in _read_and_enrich(found.files, options, workers, progress):
                read.add(result.path)
                outcome = _outcome(summary, result.path)
                for rejection in result.rejections:
                    outcome.rejections.append(rejection)
                    summary.rejections.append(rejection)
                for report, keys in zip(result.reports, result.keys, strict=True):
                    summary.warnings += [f"{report.origin}: {w}" for w in report.warnings]
                    outcome.warnings += report.warnings
                    writer.add(PreparedReport(report, *keys))
            writer.flush()
            store.con.execute("RESET threads")  # the workers are done: both cores from here
            store.con.execute("RESET checkpoint_threshold")
            store.rebuild_event_groups()
            summary.files_read = len(read)
            store.record_rejections(summary.run_id, summary.rejections)
            store.finish_run(summary.run_id, summary.counts())
            publish(store.con, db_path)
    finally:
        lock.release()
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Run without Python's cyclic garbage collector (in this process and the workers).

    An ingest keeps hundreds of thousands of small objects alive at once (reports and
    comments read ahead for the workers, rows waiting for their batch), and every full
    collection walks all of them to find nothing: the pipeline's objects form no reference
    cycles and reference counting frees each one once it is written. The collector cost
    ~1.5 ms of CPU per report (main process and workers); the benchmark's run leaves no
    cyclic garbage behind (``tests/test_ingest.py``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _worker_start() -> None:
    """A worker's setup: no cyclic garbage collector either (see ``_cycle_collector_paused``;
    a forked worker inherits the paused one, a spawned one would not)."""
    gc.disable()


def _outcome(summary: IngestSummary, path: str) -> FileOutcome:
    file_path = path.split("#row ")[0]
    return summary.files.setdefault(file_path, FileOutcome(file_path))


class _BatchWriter:
    """Collects prepared reports and writes them a batch (one transaction) at a time."""

    def __init__(self, store: Store, summary: IngestSummary) -> None:
        self.store = store
        self.summary = summary
        self.pending: dict[str, PreparedReport] = {}

    def add(self, prepared: PreparedReport) -> None:
        earlier = self.pending.get(prepared.report_id)
        if earlier is not None:
            if earlier.content_hash == prepared.content_hash:
                self._count(prepared, "unchanged")
                return
            self.flush()  # same report twice in one run: store the first, then replace it
        self.pending[prepared.report_id] = prepared
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch = list(self.pending.values())
        self.pending = {}
        stored = self.store.stored_hashes(p.report_id for p in batch)
        to_write, statuses = [], []
        for prepared in batch:
            old = stored.get(prepared.report_id)
            if old == prepared.content_hash:
                self._count(prepared, "unchanged")
                continue
            to_write.append(prepared)
            statuses.append("added" if old is None else "replaced")
        try:
            self.store.write(to_write, stored)
            done = list(zip(to_write, statuses, strict=True))
        except Exception:
            done = []
            for prepared, status in zip(to_write, statuses, strict=True):
                try:
                    self.store.write([prepared], stored)
                    done.append((prepared, status))
                except Exception as error:  # the report is left out whole; say why
                    rejection = Rejection(prepared.report.origin, f"could not be stored: {error}")
                    _outcome(self.summary, prepared.report.origin).rejections.append(rejection)
                    self.summary.rejections.append(rejection)
        for prepared, status in done:
            self._count(prepared, status)

    def _count(self, prepared: PreparedReport, status: str) -> None:
        outcome = _outcome(self.summary, prepared.report.origin)
        setattr(outcome, status, getattr(outcome, status) + 1)
        setattr(self.summary, status, getattr(self.summary, status) + 1)
        if status != "unchanged":
            self.summary.comments += len(prepared.report.comments)


# --- reading and enrichment, in worker processes --------------------------------------------


def _read_and_enrich(
    files: list[Path],
    options: ReaderOptions,
    workers: int | None,
    progress: ProgressFactory | None,
) -> Iterator[_Enriched]:
    """Yield read-and-enriched results in input order, using a process pool when it pays.

    With a pool, work is handed out as soon as it is read: the workers start on the first
    collection while the main process is still reading the next ones, instead of waiting for
    every file to be read first.
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    units = _work_units(files, options)
    head: list[_Unit] = []
    head_size = 0
    for unit in units:  # read until a pool is known to pay (or the input ends)
        head.append(unit)
        head_size += unit.size
        if head_size >= POOL_FROM:
            break
    if workers <= 1 or head_size < POOL_FROM:
        pending = head + list(units)
        bar = progress(sum(u.size for u in pending)) if progress else Progress()
        try:
            for unit in pending:
                result = _apply(unit, _process(unit))
                bar.update(unit.size)
                yield result
        finally:
            bar.close()
        return
    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        preload()  # forked workers inherit the dictionaries: built once, not once per worker
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_worker_start)
    try:
        submitted = [(unit, pool.submit(_process, unit)) for unit in head]
        submitted += [(unit, pool.submit(_process, unit)) for unit in units]
        bar = progress(sum(u.size for u, _ in submitted)) if progress else Progress()
        try:
            for unit, future in submitted:
                result = _apply(unit, future.result())
                bar.update(unit.size)
                yield result
        finally:
            bar.close()
    finally:  # on an error or a stop, drop the queued work instead of finishing it
        pool.shutdown(wait=True, cancel_futures=True)


POOL_FROM = 20
"""Fewer reports than this are enriched in the main process: starting workers costs more."""


@dataclass
class _Unit:
    """A file still to read, or reports already read from a collection, to enrich."""

    path: Path
    options: ReaderOptions
    reports: list[Report] | None = None
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.reports) if self.reports is not None else 1

    def __reduce__(self) -> tuple[object, ...]:
        """Reports travel to a worker as tuples of their fields: unpickling a dataclass per
        comment costs the worker ~8 µs each (0.4 ms per report), a tuple next to nothing."""
        reports = None if self.reports is None else [_report_state(r) for r in self.reports]
        return _unit, (self.path, self.options, reports, self.rejections)


_REPORT_FIELDS = attrgetter(*(f.name for f in fields(Report)))
_COMMENT_FIELDS = attrgetter(*(f.name for f in fields(Comment)))
_COMMENTS_AT = [f.name for f in fields(Report)].index("comments")


def _report_state(report: Report) -> tuple[object, ...]:
    state = list(_REPORT_FIELDS(report))
    state[_COMMENTS_AT] = list(map(_COMMENT_FIELDS, report.comments))
    return tuple(state)


def _unit(
    path: Path,
    options: ReaderOptions,
    reports: list[tuple[object, ...]] | None,
    rejections: list[Rejection],
) -> _Unit:
    """A ``_Unit`` back from ``_Unit.__reduce__``'s tuples."""
    if reports is None:
        return _Unit(path, options, None, rejections)
    rebuilt = []
    for state in reports:
        report = Report(*state)  # type: ignore[arg-type]
        report.comments = [Comment(*c) for c in report.comments]  # type: ignore[misc]
        rebuilt.append(report)
    return _Unit(path, options, rebuilt, rejections)


@dataclass
class _Enriched(ReadResult):
    """A read result whose reports are enriched, with each report's (id, identity key,
    content hash), worked out in the worker."""

    keys: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class _Extracted:
    """What a worker adds to reports the main process already has: only this goes back
    (the reports' own text stays where it was read), so the main process unpickles about
    half as much."""

    facts: list[dict[str, FactColumns | list[dict[str, object]]]]
    """Each report's rows by table, column by column where they allow (``FactColumns``)."""
    derived: list[dict[str, object]]
    sentiment: list[list[tuple[float | None, str | None]]]
    keys: list[tuple[str, str, str]]


def _work_units(files: Iterable[Path], options: ReaderOptions) -> Iterator[_Unit]:
    """Collections are read here (fast) and cut into chunks so both cores share the rows."""
    for path in files:
        if not is_collection(path):
            yield _Unit(path, options)
            continue
        result = read_file(path, options)
        if not result.reports:
            yield _Unit(path, options, reports=[], rejections=result.rejections)
            continue
        for start in range(0, len(result.reports), CHUNK_SIZE):
            chunk = result.reports[start : start + CHUNK_SIZE]
            yield _Unit(path, options, chunk, result.rejections if start == 0 else [])


def _process(unit: _Unit) -> _Enriched | _Extracted:
    """Read (if still to do) and enrich a unit; runs in a worker process."""
    if unit.reports is None:
        result = read_file(unit.path, unit.options)
        for report in result.reports:
            enrich(report)
        return _Enriched(result.path, result.reports, result.rejections, _keys(result.reports))
    for report in unit.reports:
        enrich(report)
    return _Extracted(
        facts=[{table: FactColumns.of(rows) for table, rows in r.facts.items()}
               for r in unit.reports],
        derived=[r.derived for r in unit.reports],
        sentiment=[[(c.sentiment_score, c.sentiment_label) for c in r.comments]
                   for r in unit.reports],
        keys=_keys(unit.reports),
    )


def _keys(reports: list[Report]) -> list[tuple[str, str, str]]:
    return [(report_id(r), identity_key(r), content_hash(r)) for r in reports]


def _apply(unit: _Unit, done: _Enriched | _Extracted) -> _Enriched:
    """The unit's result in the main process: extracted facts go onto the reports read here."""
    if isinstance(done, _Enriched):
        return done
    assert unit.reports is not None
    for report, facts, derived, sentiment in zip(
        unit.reports, done.facts, done.derived, done.sentiment, strict=True
    ):
        report.facts, report.derived = facts, derived  # type: ignore[assignment]  # rows as columns
        for comment, (score, label) in zip(report.comments, sentiment, strict=True):
            comment.sentiment_score, comment.sentiment_label = score, label
    return _Enriched(str(unit.path), unit.reports, unit.rejections, done.keys)
