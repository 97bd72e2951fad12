"""Readers and writers at the same time, as separate processes, with no lock errors.

The design under test (``analytics.store.snapshots``, ``analytics.db``): the ingest CLI is the
only process that opens the master database; at the end of each run it publishes a snapshot
and swaps the ``CURRENT`` pointer; readers attach the current snapshot read-only. A file lock
serialises writers. These tests run real processes concurrently and check what each saw:

* a reader process polling every ~20 ms while another process runs ingest after ingest;
* two ingests started at once into one database (the second must wait, not fail);
* the real Streamlit dashboard in headless Chromium, reloaded during a long ingest.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from analytics.paths import PROJECT_DIR
from tests.browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    start_server,
    stop_server,
    wait_for,
)
from tests.conftest import FAKES_CSV

# What a lock problem looks like on the page or in a log (DuckDB: "Could not set lock on file
# ...: Conflicting lock is held in ..."). "locked" never occurs in a FA-KES or seed title.
LOCK_TROUBLE = re.compile(
    r"\blocked\b|conflicting lock|could not set lock|ioexception|traceback", re.IGNORECASE
)

# Polls the newest published snapshot through analytics.db.Reader, one count query every
# ~20 ms, logging one JSON line per query, until the stop file appears.
READER_SCRIPT = """
import json, sys, time
from pathlib import Path
from analytics.db import Reader

master, log, stop = (Path(a) for a in sys.argv[1:4])
reader = Reader(master)
deadline = time.time() + 300  # never outlive a crashed test
with log.open("w", encoding="utf-8") as out:
    while not stop.exists() and time.time() < deadline:
        start = time.time()
        record = {"t": start}
        try:
            record["count"] = reader.scalar("SELECT count(*) FROM reports")
        except Exception as error:
            record["error"] = f"{type(error).__name__}: {error}"
        record["seconds"] = time.time() - start
        out.write(json.dumps(record) + "\\n")
        out.flush()
        time.sleep(0.02)
"""

# Runs `python -m analytics ingest` once per input, one after the other, logging each run.
WRITER_SCRIPT = """
import json, subprocess, sys, time

db, log, *inputs = sys.argv[1:]
with open(log, "w", encoding="utf-8") as out:
    for path in inputs:
        start = time.time()
        done = subprocess.run(
            [sys.executable, "-m", "analytics", "ingest", path, "--db", db, "--quiet"],
            capture_output=True, text=True, timeout=300,
        )
        out.write(json.dumps({"path": path, "start": start, "end": time.time(),
                              "rc": done.returncode, "stdout": done.stdout,
                              "stderr": done.stderr}) + "\\n")
        out.flush()
"""


# The real ingest CLI, instrumented: logs when it asks for the writers' lock and when it
# gets it (FileLock.acquire is the call analytics.ingest makes).
TIMED_INGEST_SCRIPT = """
import json, sys, time
import filelock
from analytics.cli import main

log, argv = sys.argv[1], sys.argv[2:]
acquire = filelock.FileLock.acquire

def timed_acquire(self, *args, **kwargs):
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps({"asked": time.time()}) + "\\n")
    result = acquire(self, *args, **kwargs)
    with open(log, "a", encoding="utf-8") as out:
        out.write(json.dumps({"got": time.time()}) + "\\n")
    return result

filelock.FileLock.acquire = timed_acquire
sys.exit(main(argv))
"""


# --- helpers ---------------------------------------------------------------------------------


def _fakes_rows() -> list[dict[str, str]]:
    with FAKES_CSV.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_corpus(path: Path, count: int, tag: str) -> int:
    """A CSV of ``count`` FA-KES rows (cycled), every row a distinct report; returns ``count``.

    Ids and titles get ``tag`` and a copy number, so no two rows (of any file) are the same
    report. Sizes are in reports: enrichment makes an ingest take ~20-40 ms per report.
    """
    rows = _fakes_rows()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for n in range(count):
            row, k = rows[n % len(rows)], n // len(rows)
            writer.writerow({
                **row,
                "unit_id": f"{row['unit_id']}-{tag}-{k}",
                "article_title": f"{row['article_title']} [{tag} {k}]",
            })
    return count


def read_jsonl(path: Path) -> list[dict]:
    """Complete lines only (the writer may be mid-line)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n")[:-1] if line.strip()]


def master_query(db: Path, sql: str) -> list[tuple]:
    """Query the master directly: only once every writer has exited."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def spawn(args: list[str], log: Path | None = None, **env: str) -> subprocess.Popen:
    """``python ARGS`` from the project dir, in a process group of its own (see ``stop``);
    output to ``log`` or to pipes (small outputs only)."""
    common = {"cwd": PROJECT_DIR, "env": {**os.environ, **env}, "text": True,
              "start_new_session": True}
    if log is None:
        return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **common)
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen([sys.executable, *args], stdout=out,
                                stderr=subprocess.STDOUT, **common)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to a process started by ``spawn`` that is still running, and to its group.

    The group matters: an ingest's worker processes outlive a main process killed alone.
    """
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def lock_holders(lock_file: Path) -> set[int]:
    """Pids holding a flock on the ingest lock file, from /proc/locks (Linux; no interference)."""
    try:
        inode = lock_file.stat().st_ino
    except FileNotFoundError:
        return set()
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        # "1: FLOCK  ADVISORY  WRITE 26161 fe:00:2147057 0 EOF" (blocked waiters have "->")
        fields = line.split()
        if "->" not in fields and fields[1] == "FLOCK" and fields[5].endswith(f":{inode}"):
            holders.add(int(fields[4]))
    return holders


# --- 1. a reader process and a writer process at once ----------------------------------------


def test_reader_process_sees_every_publish_without_lock_errors_during_ingests(
    seed_db: Path, tmp_path: Path
) -> None:
    runs, per_run = 3, 40
    inputs = [tmp_path / f"batch{i}.csv" for i in range(runs)]
    added = sum(write_corpus(path, per_run, f"w{i}") for i, path in enumerate(inputs))
    reader_log, writer_log, stop_file = (tmp_path / n for n in ("reader.jsonl", "writer.jsonl",
                                                                 "stop"))
    reader = spawn(["-c", READER_SCRIPT, str(seed_db), str(reader_log), str(stop_file)])
    writer = None
    try:
        wait_for(lambda: len(read_jsonl(reader_log)) >= 10 or reader.poll() is not None,
                 60, "the reader's first queries")
        assert reader.poll() is None, reader.communicate()
        writer = spawn(["-c", WRITER_SCRIPT, str(seed_db), str(writer_log),
                        *map(str, inputs)])
        writer.wait(timeout=240)
        expected = 1 + added
        written = read_jsonl(writer_log)
        write_end = written[-1]["end"] if written else time.time()
        # The reader keeps polling; a query it starts after the writer's last run ended should
        # see the last publish (if it does not, the assertions below say why). The publish
        # comes before that run's process exits, so an earlier query may already see it.
        def caught_up() -> bool:
            recent = read_jsonl(reader_log)[-5:]
            return any(r.get("count") == expected and r["t"] > write_end for r in recent) \
                or reader.poll() is not None

        with contextlib.suppress(AssertionError):
            if writer.returncode == 0:
                wait_for(caught_up, 20, f"the reader to see {expected} reports")
    finally:
        stop_file.touch()
        with contextlib.suppress(subprocess.TimeoutExpired):
            reader.wait(timeout=20)
        stop(reader)
        if writer is not None:
            stop(writer)
    _, reader_err = reader.communicate()
    assert reader.returncode == 0, reader_err
    assert writer.returncode == 0

    ingests = read_jsonl(writer_log)
    assert len(ingests) == runs
    for run in ingests:
        assert run["rc"] == 0, run["stderr"] or run["stdout"]
        assert f"{per_run} added" in run["stdout"], run["stdout"]
        assert not LOCK_TROUBLE.search(run["stdout"] + run["stderr"]), run

    queries = read_jsonl(reader_log)
    errors = [q for q in queries if "error" in q]
    assert errors == [], errors[:5]
    counts = [q["count"] for q in queries]
    assert all(a <= b for a, b in itertools.pairwise(counts)), "count went down"

    # Truly concurrent: the reader ran before, during and after the writer's runs.
    write_start, write_end = ingests[0]["start"], ingests[-1]["end"]
    during = [q for q in queries if write_start <= q["t"] <= write_end]
    assert queries[0]["t"] < write_start and queries[-1]["t"] > write_end
    assert len(during) >= 50, f"only {len(during)} reader queries during the ingests"

    final = master_query(seed_db, "SELECT count(*) FROM reports")[0][0]
    assert final == expected
    assert counts[0] == 1 and counts[-1] == final
    intermediate = sorted({c for c in counts if 1 < c < final})
    assert intermediate, "the reader never saw a publish before the last one"
    worst = max(q["seconds"] for q in queries)
    print(f"\nwriter {write_end - write_start:.1f} s for {runs} ingests; reader {len(queries)} "
          f"queries, {len(during)} during the ingests, counts seen {sorted(set(counts))}, "
          f"max latency {worst * 1000:.0f} ms")
    assert worst < 5.0, f"a reader query took {worst:.1f} s"


# --- 2. two ingests into one database at once -------------------------------------------------


def test_second_concurrent_ingest_waits_for_the_first(seed_db: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    n_one, n_two = write_corpus(one, 40, "first"), write_corpus(two, 20, "second")
    lock_file = Path(str(seed_db) + ".lock")
    lock_log = tmp_path / "second-lock.jsonl"
    first = spawn(["-m", "analytics", "ingest", str(one), "--db", str(seed_db), "--quiet"])
    second = None
    try:
        # Once the first holds the lock (and has the master open), freeze it, so the second
        # certainly arrives while the first is mid-run, however fast ingesting is.
        wait_for(lambda: first.pid in lock_holders(lock_file) or first.poll() is not None, 60,
                 "the first ingest to take the lock")
        assert first.poll() is None, first.communicate()
        os.kill(first.pid, signal.SIGSTOP)
        try:
            second = spawn(["-c", TIMED_INGEST_SCRIPT, str(lock_log), "ingest", str(two),
                            "--db", str(seed_db), "--quiet"])
            wait_for(lambda: read_jsonl(lock_log) or second.poll() is not None, 60,
                     "the second ingest to ask for the lock")
            # It keeps waiting (had it opened the master, DuckDB would refuse: exit 2).
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                assert second.poll() is None, second.communicate()
                time.sleep(0.02)
            assert [list(e) for e in read_jsonl(lock_log)] == [["asked"]]
            assert lock_holders(lock_file) == {first.pid}
        finally:
            os.kill(first.pid, signal.SIGCONT)
        last_held = time.time()
        while first.poll() is None:
            if first.pid in lock_holders(lock_file):
                last_held = time.time()
            time.sleep(0.02)
            assert time.time() - last_held < 120, "the first ingest never let go of the lock"
        second_running_when_first_ended = second.poll() is None
        second.wait(timeout=120)
    finally:
        stop(first)
        if second is not None:
            stop(second)
    out1, err1 = first.communicate()
    out2, err2 = second.communicate()
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2  # not 2 ("database busy" / DuckDB lock error)
    assert not LOCK_TROUBLE.search(out1 + err1 + out2 + err2)
    assert f"{n_one} added" in out1 and f"{n_two} added" in out2
    assert second_running_when_first_ended

    # The second asked for the lock while the first held it, and got it only after the first
    # let go (last_held: the last moment the first was seen holding it).
    events = read_jsonl(lock_log)
    assert [list(e) for e in events] == [["asked"], ["got"]], events
    asked, got = events[0]["asked"], events[1]["got"]
    assert asked < last_held < got, (asked, last_held, got)

    total = master_query(seed_db, "SELECT count(*) FROM reports")[0][0]
    assert total == 1 + n_one + n_two
    windows = master_query(
        seed_db, "SELECT started_at, finished_at FROM ingest_runs ORDER BY started_at"
    )
    assert len(windows) == 3 and all(end is not None for _, end in windows)
    assert windows[2][0] >= windows[1][1], f"the two runs overlapped: {windows[1:]}"
    print(f"\nthe second ingest waited {got - asked:.1f} s for the lock")


# --- 3. the dashboard in a browser during an ingest -------------------------------------------


def _reports_metric(page: Page, shot: str) -> str:
    """Wait for the overview to render completely and return the Reports metric's value.

    On failure, the page is saved as ``test-artifacts/<shot>-failed.png`` and its text is
    put in the assertion message.
    """
    try:
        # The page's script ran to its end ("initial" right after a reload, then "running").
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
            state="attached", timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Reports")
        value = metric.locator('[data-testid="stMetricValue"]')
        value.wait_for(state="visible", timeout=10_000)
        text = page.locator("body").inner_text()
        assert not LOCK_TROUBLE.search(text), LOCK_TROUBLE.search(text)
        return value.inner_text().strip()
    except (AssertionError, PlaywrightError) as error:
        with contextlib.suppress(PlaywrightError):
            page.screenshot(path=ARTIFACTS / f"{shot}-failed.png", full_page=True)
        try:
            text = page.locator("body").inner_text(timeout=5_000)
        except PlaywrightError:
            text = "(page text unavailable)"
        raise AssertionError(f"{shot}: {error}\n--- page text ---\n{text[:3000]}") from error


def test_dashboard_answers_during_ingest_and_shows_new_reports_after_refresh(
    seed_db: Path, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    server_log = tmp_path / "streamlit.log"
    server = start_server(seed_db, server_log)
    url = server.url
    ingest = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url, timeout=60_000)
                assert _reports_metric(page, "before") == "1"
                page.screenshot(path=ARTIFACTS / "concurrency-before-ingest.png")

                # One long ingest; more, each twice as large, if ingesting is so fast that
                # one leaves time for fewer than three reloads while it runs.
                lock_file = Path(str(seed_db) + ".lock")
                total, rounds, seen, latencies = 1, 0, [], []
                while sum(running for *_, running in seen) < 3:
                    assert rounds < 5, f"too few reloads during {rounds} ingests: {seen}"
                    rounds += 1
                    batch = tmp_path / f"round{rounds}.csv"
                    added = write_corpus(batch, 150 * 2 ** (rounds - 1), f"dash{rounds}")
                    ingest = spawn(["-m", "analytics", "ingest", str(batch), "--db",
                                    str(seed_db), "--quiet"])
                    wait_for(lambda proc=ingest: proc.pid in lock_holders(lock_file)
                             or proc.poll() is not None, 60, "the ingest to start writing")
                    while ingest.poll() is None:
                        started = time.monotonic()
                        page.reload(timeout=60_000)
                        value = _reports_metric(page, f"during-{len(seen) + 1}")
                        latencies.append(time.monotonic() - started)
                        # "During" the ingest: the writer was alive before and after the reload.
                        seen.append((rounds, value, ingest.poll() is None))
                        # Old data until the publish at the very end, then the new total.
                        assert value in (f"{total:,}", f"{total + added:,}"), seen
                        if len(seen) == 1:
                            page.screenshot(path=ARTIFACTS / "concurrency-during-ingest.png")
                    out, err = ingest.communicate(timeout=120)
                    assert ingest.returncode == 0, err
                    assert f"{added} added" in out, out
                    total += added

                page.reload(timeout=60_000)
                after = _reports_metric(page, "after")
                page.screenshot(path=ARTIFACTS / "concurrency-after-ingest.png", full_page=True)
                assert after == f"{total:,}"
                print(f"\n{len(seen)} reloads during {rounds} ingest(s) (round, value, writer "
                      f"alive): {seen}; slowest reload {max(latencies):.2f} s; after: {after}")
            finally:
                browser.close()
        assert server.proc.poll() is None, "the server stopped"
    finally:
        if ingest is not None:
            stop(ingest)
        stop_server(server)
        print("--- streamlit log (tail) ---\n" + server_log.read_text(encoding="utf-8")[-3000:])
    log = server_log.read_text(encoding="utf-8")
    assert not LOCK_TROUBLE.search(log), log[-3000:]
