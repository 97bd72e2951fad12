"""Publishing read-only snapshots of the master database, so readers never meet a lock.

DuckDB lets one process write a file and no other process even read it meanwhile, and a
process that keeps a connection open keeps seeing old data. So the ingest CLI writes a
private master file and, after each run, publishes a copy (the checkpointed master file
copied as is, or ``COPY FROM DATABASE`` from a snapshot being republished) as a new
``snap-<ns>.duckdb`` in ``<db>.snapshots/``, then an atomic ``os.replace`` of the small
``CURRENT`` pointer file. The dashboard attaches whatever ``CURRENT`` names, read-only; a
changed name means new data (see ``analytics.db``). Each snapshot has its own file name
because DuckDB refuses to attach one path twice in a process, and a reader may still be
mid-query on the previous one. Old snapshots are removed once they are no longer current
and older than ``KEEP_SECONDS``.

Before the switch, read-side tables are built into the new file (``analytics.store.rollups``):
pre-aggregates and sorted, denormalized copies the dashboard's queries read. They exist only
in snapshots, never in the master, and a failure while building them leaves the previous
snapshot current.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from analytics.store import rollups

POINTER = "CURRENT"
KEEP_SECONDS = 120.0
KEEP_COUNT = 2


def snapshot_dir(master: Path) -> Path:
    """``data/sitrep.duckdb`` → ``data/sitrep.duckdb.snapshots/``."""
    return master.with_name(master.name + ".snapshots")


def current_snapshot(master: Path) -> Path | None:
    """The published snapshot readers should use, or ``None`` if nothing was published."""
    folder = snapshot_dir(master)
    try:
        name = (folder / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = folder / name
    return path if name and path.exists() else None


def publish(con: duckdb.DuckDBPyConnection, master: Path, checkpoint: bool = True) -> Path:
    """Copy the open master database into a new snapshot and make it current, atomically."""
    folder = snapshot_dir(master)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"snap-{time.time_ns()}.duckdb"
    tmp = folder / (name + ".tmp")
    _remove(tmp)
    source, source_file = con.execute(
        "SELECT database_name, path FROM duckdb_databases() "
        "WHERE database_name = current_database()").fetchone()  # type: ignore[misc]
    copied = bool(checkpoint and source_file)
    if copied:
        # After a checkpoint the master's file holds every row: copying the file is ~50x
        # faster than COPY FROM DATABASE, which decodes and re-encodes every table (2.2 s
        # of a 5,000-report ingest). The ingest lock keeps writers out meanwhile.
        con.execute("CHECKPOINT")
        shutil.copyfile(source_file, tmp)
    con.execute("ATTACH ? AS sitrep_snapshot", [str(tmp)])
    built = False
    try:
        if not copied:  # identifiers: our own catalog names, not input
            con.execute(f'COPY FROM DATABASE "{source}" TO sitrep_snapshot')
        rollups.build(con, "sitrep_snapshot")
        con.execute("CHECKPOINT sitrep_snapshot")
        built = True
    finally:
        con.execute("DETACH sitrep_snapshot")
        if not built:
            _remove(tmp)
    final = folder / name
    os.replace(tmp, final)
    pointer_tmp = folder / (POINTER + ".tmp")
    pointer_tmp.write_text(name, encoding="utf-8")
    os.replace(pointer_tmp, folder / POINTER)
    _prune(folder, keep=final)
    return final


def has_read_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    """Whether the attached snapshot ``catalog`` has this version's read-side tables."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'ro_info'",
        [catalog]).fetchone()
    if not row or not row[0]:
        return False
    version = con.execute(f'SELECT max(version) FROM "{catalog}".ro_info').fetchone()  # ours
    return bool(version) and version[0] == rollups.VERSION  # type: ignore[index]


def republish(master: Path, snapshot: Path) -> Path | None:
    """Publish ``snapshot`` again with the read-side tables, for snapshots written before them
    (or by another version). Reads only the snapshot, never the master, which an ingest may
    hold; does nothing if a newer snapshot became current meanwhile."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS legacy (READ_ONLY)", [str(snapshot)])
        con.execute("USE legacy")
        if current_snapshot(master) != snapshot:
            return None
        return publish(con, master, checkpoint=False)
    finally:
        con.close()


def _remove(snapshot: Path) -> None:
    """Delete a snapshot file and its write-ahead log, if there."""
    for path in (snapshot, snapshot.with_name(snapshot.name + ".wal")):
        path.unlink(missing_ok=True)


def _prune(folder: Path, keep: Path) -> None:
    """Delete old snapshots; an open reader keeps its file's data until it lets go (POSIX)."""
    snaps = sorted(folder.glob("snap-*.duckdb"), key=lambda p: p.name, reverse=True)
    now = time.time()
    for path in snaps[KEEP_COUNT:]:
        if path != keep and now - path.stat().st_mtime > KEEP_SECONDS:
            _remove(path)
