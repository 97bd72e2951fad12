"""Stamped PNG export (kaleido for Plotly, vl-convert for Altair), ZIPs of them, and safe CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import struct
import subprocess
import sys
import threading
import time
import zipfile

import pandas as pd
import plotly.graph_objects as go
import pytest
import vl_convert

from analytics import charts, export
from analytics.paths import PROJECT_DIR
from tests.test_charts import sentiment_time_df, timeline_df

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILTERS = 'governorates: Aleppo, Idlib; text contains "<b>siege & more"'
DATA_RANGE = "2016-01-04 to 2016-02-29"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk (which must come first)."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", png[16:24])


def plotly_chart() -> go.Figure:
    return charts.events_timeline(timeline_df(), "week")


def altair_chart():
    return charts.sentiment_over_time(sentiment_time_df())


# --- stamping (no rendering) ------------------------------------------------------------


def test_stamped_plotly_copy_has_title_filters_footer_and_the_original_is_unchanged() -> None:
    fig = plotly_chart()
    before = fig.to_json()
    out = export.stamped(fig, "Events in Aleppo", FILTERS, DATA_RANGE)
    assert out is not fig
    layout = out.to_dict()["layout"]
    assert layout["title"]["text"] == "<b>Events in Aleppo</b>"
    subtitle = layout["title"]["subtitle"]["text"]
    assert subtitle.startswith("Filters: governorates: Aleppo, Idlib;")
    assert "&lt;b&gt;siege &amp; more" in subtitle  # user text is shown, not parsed as markup
    footers = [a["text"] for a in layout["annotations"]]
    assert footers == ["Data: 2016-01-04 to 2016-02-29 · Source: Sitrep"]
    assert (layout["width"], layout["height"]) == (800, 450)  # drawn at scale 2 → 1600 × 900
    assert layout["margin"]["t"] >= 70 and layout["margin"]["b"] >= 70  # room for the stamp
    long_filters = "; ".join(f"actors: Actor number {i}" for i in range(30))
    long = export.stamped(fig, "Events", long_filters, DATA_RANGE).to_dict()["layout"]
    assert long["title"]["subtitle"]["text"].count("<br>") >= 4
    assert long["margin"]["t"] > layout["margin"]["t"] + 60  # each line gets its room
    assert fig.to_json() == before
    assert fig.layout.title.text == "Events over time"
    # the data is the page's data
    assert json.loads(out.to_json())["data"] == json.loads(before)["data"]


def test_stamped_altair_copy_has_title_filters_footer_and_the_original_is_unchanged() -> None:
    chart = altair_chart()
    before = copy.deepcopy(chart.to_dict())
    out = export.stamped(chart, "Sentiment in Aleppo", FILTERS, DATA_RANGE)
    spec = out.to_dict()
    assert spec["title"]["text"] == "Sentiment in Aleppo"
    assert spec["title"]["subtitle"] == export.subtitle_lines(FILTERS, width=800 // 7)
    assert " ".join(spec["title"]["subtitle"]) == f"Filters: {FILTERS}"
    (panel,) = spec["vconcat"]
    assert panel["title"]["text"] == "Data: 2016-01-04 to 2016-02-29 · Source: Sitrep"
    assert panel["title"]["orient"] == "bottom"
    assert spec["background"] == "white"
    # the page's layers, data and named selection are all still there
    assert [layer["mark"]["type"] for layer in panel["layer"]] == ["line", "rule"]
    assert "span" in str(spec.get("params", "")) + str(panel)
    assert spec["datasets"] == before["datasets"]
    assert vl_convert.vegalite_to_vega(spec)["marks"]
    assert chart.to_dict() == before
    assert before["title"] == "Sentiment over time"


def test_stamped_rejects_other_objects() -> None:
    with pytest.raises(TypeError):
        export.stamped({"data": []}, "t", "all data", "x")  # type: ignore[arg-type]


# --- rendering --------------------------------------------------------------------------


def test_plotly_png_first_and_warm_render(capsys: pytest.CaptureFixture[str]) -> None:
    from kaleido import _sync_server

    export._stop_server()  # measure a cold start even if another test rendered already
    export._kaleido["broken"] = False
    started = time.perf_counter()
    first = export.png_bytes(plotly_chart(), "Events", FILTERS, DATA_RANGE)
    first_s = time.perf_counter() - started
    thread = _sync_server.GlobalKaleidoServer()._thread
    started = time.perf_counter()
    warm = export.png_bytes(plotly_chart(), "Events", FILTERS, DATA_RANGE)
    warm_s = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nPlotly PNG via kaleido: first {first_s:.2f} s, warm {warm_s:.2f} s")
    assert png_size(first) == (1600, 900)
    assert png_size(warm) == (1600, 900)
    assert export._kaleido == {"started": True, "broken": False}
    assert _sync_server.GlobalKaleidoServer()._thread is thread  # one server, reused


def test_altair_png_first_and_warm_render(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    first = export.png_bytes(altair_chart(), "Sentiment", FILTERS, DATA_RANGE)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    warm = export.png_bytes(charts.top_actors(pd.DataFrame(
        {"actor": ["Syrian Army", "Russia"], "mentions": [40, 31]}
    )), "Actors", FILTERS, DATA_RANGE)
    warm_s = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nAltair PNG via vl-convert: first {first_s:.2f} s, warm {warm_s:.2f} s")
    for png in (first, warm):
        width, height = png_size(png)
        assert width >= 1200
        assert abs(width - 1600) <= 8 and abs(height - 900) <= 8


def test_png_size_follows_the_arguments() -> None:
    png = export.png_bytes(plotly_chart(), "Events", FILTERS, DATA_RANGE, width=1200, height=800)
    assert png_size(png) == (1200, 800)


def test_empty_charts_export_too() -> None:
    empty = timeline_df().iloc[0:0]
    assert png_size(export.png_bytes(charts.events_timeline(empty), "E", "all data", "none"))
    assert png_size(export.png_bytes(charts.top_actors(pd.DataFrame()), "A", "all data", "none"))


def test_concurrent_plotly_exports_get_their_own_image() -> None:
    """kaleido's sync server returns results through one shared queue; the lock keeps order."""
    results: dict[int, list[tuple[int, int]]] = {}

    def work(width: int) -> None:
        results[width] = [
            png_size(export.png_bytes(plotly_chart(), "E", "all data", "x", width, 600))
            for _ in range(3)
        ]

    threads = [threading.Thread(target=work, args=(w,)) for w in (1200, 1400, 1600)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert results == {w: [(w, 600)] * 3 for w in (1200, 1400, 1600)}


def test_no_browser_gives_a_clear_error_instead_of_hanging() -> None:
    script = (
        "import plotly.graph_objects as go\n"
        "from analytics import export\n"
        "try:\n"
        "    export.png_bytes(go.Figure(go.Bar(y=[1])), 't', 'all data', 'x')\n"
        "except export.ExportError as error:\n"
        "    print('EXPORT-ERROR', 'Chrome' in str(error))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True,
        timeout=120, env={"BROWSER_PATH": "/nonexistent/chromium", "PATH": "/usr/bin:/bin"},
    )
    assert "EXPORT-ERROR True" in done.stdout, done.stderr[-2000:]


def test_export_all_png_zips_one_png_per_chart() -> None:
    bundle = {
        "Events over time": plotly_chart(),
        "Sentiment over time": altair_chart(),
        "Événements: Alep/Idlib": charts.evacuation_flows(pd.DataFrame(
            {"origin": ["Darayya"], "destination": ["Idlib"], "people": [4000]}
        )),
        "events over time!": charts.top_actors(pd.DataFrame()),
    }
    data = export.export_all_png(bundle, "all data", DATA_RANGE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [
            "events-over-time.png", "sentiment-over-time.png", "evenements-alep-idlib.png",
            "events-over-time-2.png",
        ]
        for name in names:
            assert png_size(archive.read(name))[0] >= 1200


def test_slug() -> None:
    assert export.slug("Events over time (week)") == "events-over-time-week"
    assert export.slug("  Évacuations — Darayya / Idlib  ") == "evacuations-darayya-idlib"
    assert export.slug("../../etc/passwd") == "etc-passwd"
    assert export.slug("حلب") == "chart"
    assert len(export.slug("x" * 500)) == 80


# --- CSV --------------------------------------------------------------------------------


def read_csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_csv_neutralises_formulas_in_text_cells() -> None:
    df = pd.DataFrame({
        "text": ['=HYPERLINK("http://evil.example","click")', "+1", "-cmd", "@SUM(A1:A9)",
                 "\t=1+1", "\r=1+1"],
        "score": [-0.5, 1.0, -2.25, 0.0, 3.0, -1.0],
    })
    header, *body = read_csv_cells(export.csv_bytes(df))
    assert header == ["text", "score"]
    assert [row[0] for row in body] == [
        '\'=HYPERLINK("http://evil.example","click")', "'+1", "'-cmd", "'@SUM(A1:A9)",
        "'\t=1+1", "'\r=1+1",
    ]
    assert [row[1] for row in body] == ["-0.5", "1.0", "-2.25", "0.0", "3.0", "-1.0"]
    back = pd.read_csv(io.BytesIO(export.csv_bytes(df)), encoding="utf-8-sig")
    assert back["score"].dtype.kind == "f" and back["score"].tolist() == df["score"].tolist()


def test_csv_round_trips_other_text_exactly_and_leaves_numbers_alone() -> None:
    texts = [
        "Rebels withdraw from Aleppo", "قوات النظام تتقدم", 'He said "enough", then left',
        "line one\nline two", "a=b+c", "100% - sure", "", "' already quoted",
    ]
    df = pd.DataFrame({
        "title": texts,
        "n": range(len(texts)),
        "delta": [-1, -2, -3, 0, 4, -5, 6, -7],
        "published": pd.to_datetime(["2016-08-26"] * len(texts)),
    })
    header, *body = read_csv_cells(export.csv_bytes(df))
    assert header == ["title", "n", "delta", "published"]
    assert [row[0] for row in body] == texts
    assert [int(row[2]) for row in body] == [-1, -2, -3, 0, 4, -5, 6, -7]
    assert body[0][3] == "2016-08-26"


def test_csv_guards_mixed_columns_and_headers_without_changing_the_frame() -> None:
    df = pd.DataFrame({"=cmd|' /C calc'!A0": ["-x", -0.5, None]}, dtype=object)
    before = df.copy()
    header, *body = read_csv_cells(export.csv_bytes(df))
    assert header == ["'=cmd|' /C calc'!A0"]
    assert [row[0] for row in body] == ["'-x", "-0.5", ""]
    pd.testing.assert_frame_equal(df, before)
