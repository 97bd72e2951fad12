"""The read side: one query choke point over the latest published snapshot.

The dashboard never opens the master database (the ingest CLI may be writing it). It keeps
one in-memory DuckDB connection and attaches the current snapshot read-only; before each
query it checks the snapshot pointer (one tiny file read) and, if a newer snapshot was
published, attaches that one, so a browser refresh shows new reports without a restart.
Each call uses its own cursor: a DuckDB connection must not be shared by threads at once,
and Streamlit runs every session in its own thread.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from pathlib import Path

import duckdb
import pandas as pd

from analytics.store.snapshots import current_snapshot, has_read_tables, republish

# DuckDB's own buffers for the dashboard process: with pandas frames and Streamlit on top,
# the server stays under the 1.5 GB; larger sorts and joins spill to disk.
MEMORY_LIMIT = "512MB"


MEMO_KEYS = 8
"""Free-text searches kept per kind (reports, comments): the recent filter states of users."""
MEMO_ROWS = 2_000_000
"""Rows kept per kind at most (older searches go first; the newest is always kept): a text
matching most comments is ~3.6 M rows of ~40 bytes at 100,000 reports."""


_READERS: weakref.WeakSet[Reader] = weakref.WeakSet()


def forget_searches() -> None:
    """``Reader.forget`` on every reader of this process (the benchmark's renders)."""
    for reader in list(_READERS):
        reader.forget()


class NoData(Exception):
    """No snapshot has been published yet (nothing ingested)."""


class Reader:
    """Runs read-only SQL against the newest snapshot of ``master``."""

    def __init__(self, master: Path) -> None:
        self.master = master
        self._con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
        self._lock = threading.Lock()
        self._attached: list[tuple[Path, str]] = []  # newest last
        self._aliases = (f"snap{n}" for n in itertools.count(1))
        self._memo_lock = threading.Lock()
        self._memo: dict[str, dict[tuple[str, str], int]] = {}
        self._bits: dict[str, dict[tuple[str, str], int]] = {}
        self._local = threading.local()
        _READERS.add(self)

    @property
    def version(self) -> str | None:
        """Name of the snapshot being read; changes after every publish (a cache key)."""
        path = current_snapshot(self.master)
        return path.name if path else None

    def query(
        self, sql: str, params: list[object] | dict[str, object] | None = None
    ) -> pd.DataFrame:
        """Run one parameterised query and return all its rows."""
        return self._cursor().execute(sql, params or []).df()

    def scalar(self, sql: str, params: list[object] | None = None) -> object:
        row = self._cursor().execute(sql, params or []).fetchone()
        return row[0] if row else None

    def filter_bits(self) -> dict[tuple[str, str], int]:
        """The snapshot's filter bits, (kind, value) -> bit (``rollups.ro_filter_bits``),
        read once per snapshot."""
        alias = self._alias()
        with self._memo_lock:
            if alias not in self._bits:
                rows = self._con.execute(
                    f"SELECT kind, value, bit FROM {alias}.ro_filter_bits").fetchall()
                self._bits = {alias: {(kind, value): bit for kind, value, bit in rows}}
            return self._bits[alias]

    def memo(self, table: str, sql: str, text: str) -> None:
        """Keep the rows of ``sql`` (bound to ``$text``) in ``memory.main.<table>``, keyed by
        snapshot and text, so the statements of a page share one search instead of each
        scanning again. Only the newest ``MEMO_KEYS`` texts per table are kept, and no more
        than ``MEMO_ROWS`` rows unless one search alone has more.

        ``table`` and ``sql`` are the dashboard's own constants (``queries.TEXT_HITS``).
        """
        alias = self._alias()
        key = (alias, text)
        with self._memo_lock:
            kept = self._memo.setdefault(table, {})  # (snapshot, text) -> rows, oldest first
            if key in kept:
                kept[key] = kept.pop(key)  # now the newest
                return
            cursor = self._con.cursor()
            try:
                # The kept rows' order is never read (every statement orders its result):
                # without it DuckDB inserts from both threads at once.
                cursor.execute("SET SESSION preserve_insertion_order = false")
                cursor.execute(f"USE {alias}")
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS memory.main.{table} AS "
                    f"SELECT ''::VARCHAR AS snapshot, ''::VARCHAR AS text, * FROM ({sql}) LIMIT 0",
                    {"text": text},
                )
                inserted = cursor.execute(
                    f"INSERT INTO memory.main.{table} SELECT $alias, $text, * FROM ({sql})",
                    {"alias": alias, "text": text},
                ).fetchone()
                kept[key] = inserted[0] if inserted else 0
                while len(kept) > 1 and (len(kept) > MEMO_KEYS
                                         or sum(kept.values()) > MEMO_ROWS):
                    old_alias, old_text = next(iter(kept))
                    del kept[(old_alias, old_text)]
                    cursor.execute(
                        f"DELETE FROM memory.main.{table} WHERE snapshot = $a AND text = $t",
                        {"a": old_alias, "t": old_text},
                    )
            finally:
                cursor.close()

    def forget(self) -> None:
        """Drop every kept search (the benchmark measures a filter's first use)."""
        with self._memo_lock:
            for table, kept in self._memo.items():
                self._con.execute(f"DELETE FROM memory.main.{table}")
                kept.clear()

    def close(self) -> None:
        self._con.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, on the newest snapshot. Kept per thread (a cursor must not
        serve two threads at once) and reused: opening one and selecting the snapshot cost
        about half a millisecond, a tenth of a small page query."""
        alias = self._alias()
        local = self._local
        if getattr(local, "cursor", None) is None:
            local.cursor, local.alias = self._con.cursor(), None
        if local.alias != alias:
            local.cursor.execute(f"USE {alias}")  # alias is ours: snap<N>
            local.alias = alias
        return local.cursor

    def _alias(self) -> str:
        path = current_snapshot(self.master)
        if path is None:
            raise NoData(f"no data published for {self.master} yet: run an ingest first")
        with self._lock:
            if self._attached and self._attached[-1][0] == path:
                return self._attached[-1][1]
            alias = next(self._aliases)
            self._con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(path)])
            if not has_read_tables(self._con, alias):
                # Published by an older Sitrep: publish it again with the read-side tables
                # (once, slow at scale), then read whatever is current.
                self._con.execute(f"DETACH {alias}")
                republish(self.master, path)
                path = current_snapshot(self.master) or path
                alias = next(self._aliases)
                self._con.execute(f"ATTACH ? AS {alias} (READ_ONLY)", [str(path)])
            self._attached.append((path, alias))
            # Keep the previous snapshot attached: a query in another thread may be using it.
            while len(self._attached) > 2:
                _, old = self._attached.pop(0)
                self._con.execute(f"DETACH {old}")
            return alias
