"""``python -m analytics``: the command line for ingesting and exporting.

Exit status: 0 when everything loaded, 1 when some input was rejected (the rest loaded),
2 when nothing could be done (bad arguments, database busy or unreadable).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from analytics.exporting import ExportError, export_table
from analytics.ingest import DatabaseBusy, IngestSummary, ingest
from analytics.paths import default_db_path
from analytics.readers import ReaderOptions
from analytics.store.schema import EXPORTABLE_TABLES
from analytics.store.snapshots import current_snapshot


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    return int(args.run(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analytics", description="Sitrep: conflict reports into DuckDB."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    p = commands.add_parser(
        "ingest", help="read report files and folders into the database",
        description="Read .txt/.html reports and .csv/.tsv/.jsonl/.parquet collections "
        "(folders recursively) into the database, then publish them to the dashboard.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--db", type=Path, default=None, help="database file (default: %(default)s)")
    p.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN",
        help="use COLUMN of a collection for FIELD (title, body, published, source, url, id); "
        "FIELD= with no column ignores that field. Repeatable.",
    )
    p.add_argument("--max-file-mb", type=float, default=100.0, help="skip larger files (MB)")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar, summary only")
    p.add_argument(
        "--if-empty", action="store_true",
        help="do nothing if the database already has published data (first-run seeding)",
    )
    p.set_defaults(run=_ingest)

    p = commands.add_parser("export", help="write a table as CSV, JSON Lines or Parquet")
    p.add_argument("table", choices=EXPORTABLE_TABLES)
    p.add_argument("--db", type=Path, default=None)
    p.add_argument(
        "--out", type=Path, default=None,
        help="file to write; format by extension (.csv, .jsonl, .parquet); default: CSV to stdout",
    )
    p.set_defaults(run=_export)

    p = commands.add_parser(
        "evaluate", help="measure extraction against hand-made gold on real text",
        description="Compare extraction with the seed's gold annotation and/or the FA-KES "
        "corpus's gold date and location (read without those columns).",
    )
    p.add_argument("--gold", type=Path, help="seed gold file (seed_report.json)")
    p.add_argument("--seed", type=Path, default=None,
                   help="the report the gold annotates (default: seeds/<file named in the gold>)")
    p.add_argument("--fakes", type=Path, help="FA-KES CSV (fakes_dev.csv)")
    p.set_defaults(run=_evaluate)

    p = commands.add_parser(
        "bench", help="measure ingestion, queries, rendering and cold start",
        description="Benchmark Sitrep on a corpus recombined from real text: ingestion, "
        "each page's queries and full render on a 100,000-report database, a pandas "
        "baseline, cold start in headless Chromium. Prints the tables and writes them "
        "as Markdown (see benchmarks/README.md).",
    )
    from analytics.bench import add_arguments

    add_arguments(p)
    p.set_defaults(run=_bench)
    return parser


def _ingest(args: argparse.Namespace) -> int:
    try:
        column_map = _column_map(args.map)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    db = args.db or default_db_path()
    if args.if_empty and current_snapshot(db) is not None:
        if not args.quiet:
            print(f"{db} already has data; nothing to do")
        return 0
    options = ReaderOptions(max_bytes=int(args.max_file_mb * 1024 * 1024), column_map=column_map)

    def progress(total: int) -> tqdm:
        return tqdm(total=total, unit="report", desc="ingesting", delay=1.0,
                    disable=True if args.quiet else None, file=sys.stderr)

    # `kill PID` should stop the worker processes too, as Ctrl-C does: SystemExit unwinds
    # through the pool's shutdown, and the transaction in flight is rolled back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        summary = ingest(args.paths, db, options, workers=args.workers, progress=progress)
    except DatabaseBusy as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # e.g. the file is held open by another program
        print(f"error: cannot write {db}: {error}", file=sys.stderr)
        return 2
    print(format_summary(summary, db))
    return 0 if summary.ok else 1


def format_summary(summary: IngestSummary, db: Path) -> str:
    """The end-of-run summary: counts, then one line per failure and per warning."""
    rate = (summary.added + summary.replaced + summary.unchanged) / max(summary.seconds, 1e-9)
    lines = [
        f"Ingested into {db} in {summary.seconds:.1f} s ({rate:.0f} reports/s)",
        f"  files read: {summary.files_read}"
        + (f" (skipped {len(summary.skipped)} of other types)" if summary.skipped else ""),
        f"  reports: {summary.added} added, {summary.replaced} replaced, "
        f"{summary.unchanged} unchanged",
        f"  comments stored: {summary.comments}",
        f"  failed: {len(summary.rejections)}",
    ]
    lines += [f"FAILED {r.origin}: {r.reason}" for r in summary.rejections]
    shown = summary.warnings[:20]
    lines += [f"warning {w}" for w in shown]
    if len(summary.warnings) > len(shown):
        lines.append(f"... and {len(summary.warnings) - len(shown)} more warnings")
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    db = args.db or default_db_path()
    try:
        rows = export_table(db, args.table, args.out, sys.stdout)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        print(f"wrote {rows} rows of {args.table} to {args.out}", file=sys.stderr)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from analytics.evaluation import evaluate_fakes, evaluate_seed, report_text, seed_file_for

    if not args.gold and not args.fakes:
        print("error: give --gold and/or --fakes", file=sys.stderr)
        return 2
    for path in (args.gold, args.seed, args.fakes):
        if path is not None and not path.exists():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    seed = evaluate_seed(args.gold, args.seed or seed_file_for(args.gold)) if args.gold else None
    fakes = evaluate_fakes(args.fakes) if args.fakes else None
    print(report_text(seed, fakes))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from analytics.bench import main as bench

    return bench(args, sys.argv[2:] if sys.argv[1:2] == ["bench"] else [])


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip():
            raise ValueError(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip().lower()] = column.strip()
    return mapping
