"""Every chart function on small realistic frames and on empty ones, checked through to_dict()."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import vl_convert

from analytics import charts
from analytics.charts import NO_DATA

WEEKS = pd.to_datetime(["2016-01-04", "2016-01-11", "2016-01-18", "2016-02-01"])


# --- sample frames shaped like the queries' results -------------------------------------


def timeline_df() -> pd.DataFrame:
    return pd.DataFrame({
        "period": [WEEKS[0], WEEKS[0], WEEKS[1], WEEKS[1], WEEKS[1], WEEKS[2], WEEKS[3]],
        "event_type": [
            "Explosions/Remote violence", "Battles", "Battles", "Strategic developments",
            "Violence against civilians", "Battles", "Explosions/Remote violence",
        ],
        "events": [5, 3, 2, 1, 4, 6, 2],
    })


def map_df() -> pd.DataFrame:
    return pd.DataFrame({
        "location": ["Aleppo", "Douma", "Daraa", "Raqqa", "Nowhere"],
        "admin1": ["Aleppo", "Rif Dimashq", "Daraa", "Raqqa", "Homs"],
        "latitude": [36.2021, 33.5711, 32.6189, 35.9528, None],
        "longitude": [37.1343, 36.4023, 36.1021, 39.0079, None],
        "event_type": [
            "Battles", "Explosions/Remote violence", "Battles", "Strategic developments",
            "Battles",
        ],
        "events": [16, 4, 1, 9, 3],
        "first_date": pd.to_datetime(["2016-01-02", "2016-01-05", "2016-02-01", "2016-01-09",
                                      "2016-01-01"]),
        "last_date": pd.to_datetime(["2016-02-20", "2016-01-05", "2016-02-01", "2016-02-11",
                                     "2016-01-01"]),
    })


def overview_df() -> pd.DataFrame:
    return pd.DataFrame({"period": WEEKS, "reports": [10, 14, 7, 12], "events": [8, 7, 6, 3]})


def evacuations_df() -> pd.DataFrame:
    df = pd.DataFrame({"period": WEEKS, "people": [1200, 0, 3400, 500]})
    return df.assign(cumulative=df["people"].cumsum())


def buses_df() -> pd.DataFrame:
    return pd.DataFrame({"period": WEEKS, "buses": [20, 0, 45, 8]})


def flows_df() -> pd.DataFrame:
    return pd.DataFrame({
        "origin": ["Darayya", "Darayya", "Madaya", "Idlib"],
        "destination": ["Idlib", "Kisweh", "Idlib", "Madaya"],
        "people": [4000, 700, 1200, 300],
    })


def mentions_df() -> pd.DataFrame:
    return pd.DataFrame({
        "period": list(WEEKS) * 2,
        "actor": ["Syrian Army"] * 4 + ["Jabhat al-Nusra"] * 4,
        "mentions": [5, 7, 3, 6, 2, 4, 4, 1],
    })


def top_actors_df() -> pd.DataFrame:
    return pd.DataFrame({
        "actor": ["Syrian Army", "Jabhat al-Nusra", "Russia", "ISIS"],
        "mentions": [40, 22, 31, 9],
    })


def comention_df() -> pd.DataFrame:
    return pd.DataFrame({
        "actor_a": ["Russia", "Russia", "Syrian Army", "Jabhat al-Nusra"],
        "actor_b": ["Syrian Army", "ISIS", "Jabhat al-Nusra", "Syrian Army"],
        "reports": [12, 3, 7, 7],
    })


def histogram_df() -> pd.DataFrame:
    return pd.DataFrame({
        "bucket": [-0.8, -0.6, -0.2, 0.0, 0.0, 0.2, 0.6],
        "sentiment_label": [
            "negative", "negative", "negative", "neutral", "positive", "positive", "positive",
        ],
        "comments": [4, 10, 6, 15, 2, 8, 3],
    })


def sentiment_time_df() -> pd.DataFrame:
    return pd.DataFrame({
        "period": WEEKS, "mean_sentiment": [-0.3, -0.1, 0.05, -0.45],
        "comments": [20, 12, 30, 5],
    })


def sentiment_actor_df() -> pd.DataFrame:
    return pd.DataFrame({
        "actor": ["Syrian Army", "Russia", "ISIS"],
        "mean_sentiment": [-0.2, 0.15, -0.6], "comments": [50, 30, 12],
    })


LONG_TITLE = "Rebels withdraw from eastern Aleppo after a month-long siege of the city"


def per_report_df() -> pd.DataFrame:
    return pd.DataFrame({
        "report_id": ["a1", "b2", "c3"],
        "title": [LONG_TITLE, "Evacuation of Darayya completed", LONG_TITLE],
        "published": pd.to_datetime(["2016-08-26", "2016-08-27", "2016-08-26"]),
        "mean_sentiment": [-0.4, 0.1, -0.05],
        "comments": [30, 12, 44],
    })


def commenters_df() -> pd.DataFrame:
    return pd.DataFrame({
        "author": ["Abu Omar", None, "Sarah K"],
        "comments": [12, 30, 4],
        "mean_sentiment": [-0.5, 0.0, 0.4],
    })


# (function, sample frame) for every chart; events_timeline gets its grain.
CASES: dict[str, tuple[Callable[[pd.DataFrame], object], Callable[[], pd.DataFrame]]] = {
    "events_timeline": (lambda df: charts.events_timeline(df, "week"), timeline_df),
    "events_map": (lambda df: charts.events_map(df, charts.load_borders()), map_df),
    "overview_timeline": (charts.overview_timeline, overview_df),
    "evacuations_over_time": (charts.evacuations_over_time, evacuations_df),
    "buses_over_time": (charts.buses_over_time, buses_df),
    "evacuation_flows": (charts.evacuation_flows, flows_df),
    "actor_mentions_over_time": (charts.actor_mentions_over_time, mentions_df),
    "top_actors": (charts.top_actors, top_actors_df),
    "comention_matrix": (charts.comention_matrix, comention_df),
    "sentiment_histogram": (charts.sentiment_histogram, histogram_df),
    "sentiment_over_time": (charts.sentiment_over_time, sentiment_time_df),
    "sentiment_by_actor": (charts.sentiment_by_actor, sentiment_actor_df),
    "sentiment_per_report": (charts.sentiment_per_report, per_report_df),
    "top_commenters": (charts.top_commenters, commenters_df),
}
PLOTLY = {"events_timeline", "events_map", "evacuations_over_time", "evacuation_flows"}


# --- helpers ----------------------------------------------------------------------------


def rows(spec: dict, column: str) -> list[dict]:
    """The rows of the (one) inline dataset of an Altair spec that has ``column``."""
    found = [r for r in spec.get("datasets", {}).values() if r and column in r[0]]
    assert len(found) == 1, f"expected one dataset with {column!r}, got {len(found)}"
    return found[0]


def units(spec: dict) -> list[dict]:
    """The unit specs (marks) of a single or layered Altair spec."""
    return spec.get("layer", [spec])


def mark_type(unit: dict) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def param_names(spec: dict) -> set[str]:
    names = {p["name"] for p in spec.get("params", [])}
    for unit in spec.get("layer", []):
        names |= {p["name"] for p in unit.get("params", [])}
    return names


def plain(value: object) -> object:
    """A figure's dict with its arrays as lists: charts hand Plotly NumPy arrays (faster),
    which ``to_dict`` gives back base64-encoded ({"dtype", "bdata"[, "shape"]})."""
    if isinstance(value, np.ndarray):
        return plain(value.tolist())  # a record array's rows come out as tuples
    if isinstance(value, dict) and set(value) in ({"dtype", "bdata"}, {"dtype", "bdata", "shape"}):
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def traces(fig: go.Figure, kind: str) -> list[dict]:
    return [plain(t) for t in fig.to_dict()["data"] if t["type"] == kind]  # type: ignore[misc]


# --- every chart: a figure for data and for no data -------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_on_sample_data_is_a_figure_without_no_data_text(name: str) -> None:
    function, frame = CASES[name]
    chart = function(frame())
    if name in PLOTLY:
        assert isinstance(chart, go.Figure)
        spec = chart.to_dict()
        texts = [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        assert NO_DATA not in texts
        assert spec["layout"]["title"]["text"]
    else:
        assert isinstance(chart, alt.TopLevelMixin)
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        assert NO_DATA not in str(spec)
        assert spec["title"]
        # and it compiles to Vega (catches specs that validate but cannot be drawn)
        assert vl_convert.vegalite_to_vega(spec)["marks"]


@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize("name", sorted(PLOTLY))
def test_plotly_chart_passes_plotly_validation_unchanged(name: str, empty: bool) -> None:
    """Plotly charts are built without Plotly's per-value checks (``charts._figure``, for
    speed): the validating constructor must accept them and give back the same figure."""
    function, frame = CASES[name]
    fig = function(frame().iloc[0:0] if empty else frame())
    spec = fig.to_dict()
    checked = go.Figure(spec, skip_invalid=False)  # raises on any invalid property
    assert plain(checked.to_dict()) == plain(spec)


def test_altair_charts_are_the_same_with_schema_checks_at_build_time() -> None:
    """Charts are built with Altair's build-time checks off (``charts`` module); with them
    on, every chart comes out the same (and ``to_dict()`` validates the whole spec)."""
    from altair.utils import schemapi

    altair_cases = sorted(set(CASES) - PLOTLY)
    quick = {name: CASES[name][0](CASES[name][1]()).to_dict() for name in altair_cases}
    with schemapi.debug_mode(True):
        checked = {name: CASES[name][0](CASES[name][1]()).to_dict() for name in altair_cases}
    assert checked == quick


@pytest.mark.parametrize("empty", ["no rows", "no columns"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_chart_on_empty_frame_says_no_data(name: str, empty: str) -> None:
    function, frame = CASES[name]
    df = frame().iloc[0:0] if empty == "no rows" else pd.DataFrame()
    chart = function(df)
    if name in PLOTLY:
        assert isinstance(chart, go.Figure)
        texts = [a.get("text") for a in chart.to_dict()["layout"].get("annotations", [])]
        assert NO_DATA in texts
    else:
        spec = chart.to_dict()
        assert rows(spec, "message") == [{"message": NO_DATA}]
        assert units(spec)[0]["encoding"]["text"]["field"] == "message"
        # the selection parameter survives, so st.altair_chart(on_select=...) still works
        assert param_names(spec) == {charts.SELECTIONS[name][0]}


@pytest.mark.parametrize("name", sorted(set(CASES) - PLOTLY))
def test_altair_selection_is_named_and_optional(name: str) -> None:
    function, frame = CASES[name]
    assert param_names(function(frame()).to_dict()) == {charts.SELECTIONS[name][0]}
    spec = function(frame(), select=False).to_dict()  # type: ignore[call-arg]
    assert param_names(spec) == set()


def test_all_rows_without_dates_count_as_no_data() -> None:
    df = timeline_df().assign(period=pd.NaT)
    texts = [a.text for a in charts.events_timeline(df, "week").layout.annotations]
    assert texts == [NO_DATA]


# --- events timeline --------------------------------------------------------------------


def test_timeline_stacks_one_trace_per_event_type_in_acled_order() -> None:
    fig = charts.events_timeline(timeline_df(), "week")
    bars = traces(fig, "bar")
    assert [b["name"] for b in bars] == [
        "Battles", "Explosions/Remote violence", "Violence against civilians",
        "Strategic developments",
    ]
    by_name = {b["name"]: b for b in bars}
    assert by_name["Battles"]["x"] == ["2016-01-04", "2016-01-11", "2016-01-18"]
    assert by_name["Battles"]["y"] == [3, 2, 6]
    assert by_name["Explosions/Remote violence"]["x"] == ["2016-01-04", "2016-02-01"]
    assert by_name["Explosions/Remote violence"]["y"] == [5, 2]
    assert by_name["Battles"]["marker"]["color"] == charts.EVENT_TYPE_COLORS["Battles"]
    assert by_name["Battles"]["customdata"][1] == ["2016-01-11", "Battles", 2]
    assert "customdata[2]" in by_name["Battles"]["hovertemplate"]
    week_ms = 7 * 24 * 3600 * 1000
    assert by_name["Battles"]["offset"] == 0
    assert by_name["Battles"]["width"] == pytest.approx([0.85 * week_ms] * 3)
    assert by_name["Battles"]["hovertext"][0] == "week of 4 Jan 2016"
    layout = fig.to_dict()["layout"]
    assert layout["barmode"] == "stack"
    assert layout["dragmode"] == "select"
    assert layout["selectdirection"] == "h"
    assert layout["xaxis"]["type"] == "date"
    assert layout["xaxis"]["title"]["text"] == "Date"
    assert layout["yaxis"]["title"]["text"] == "Events"
    total = sum(sum(b["y"]) for b in bars)
    assert total == timeline_df()["events"].sum()


def test_timeline_sums_duplicate_rows_and_sizes_month_bars_by_month() -> None:
    df = pd.DataFrame({
        "period": pd.to_datetime(["2016-02-01", "2016-02-01", "2016-03-01"]),
        "event_type": ["Riots", "Riots", "Some new type"],
        "events": [2, 3, 4],
    })
    bars = traces(charts.events_timeline(df, "month"), "bar")
    assert [(b["name"], b["y"]) for b in bars] == [("Riots", [5]), ("Some new type", [4])]
    day_ms = 24 * 3600 * 1000
    assert bars[0]["width"] == pytest.approx([0.85 * 29 * day_ms])  # February 2016
    assert bars[1]["width"] == pytest.approx([0.85 * 31 * day_ms])  # March
    assert bars[1]["marker"]["color"] == charts.OTHER_EVENT_COLOR
    assert bars[0]["hovertext"] == ["Feb 2016"]


# --- map --------------------------------------------------------------------------------


def test_map_draws_the_15_governorate_borders_as_line_traces() -> None:
    borders = charts.load_borders()
    fig = charts.events_map(map_df(), borders)
    lines = [t for t in traces(fig, "scatter") if t["mode"] == "lines"]
    names = [f["properties"]["name"] for f in borders["features"]]
    assert len(names) == 15
    assert [t["name"] for t in lines] == names
    assert "Aleppo" in names and "Rif Dimashq" in names
    aleppo = lines[names.index("Aleppo")]
    ring = borders["features"][names.index("Aleppo")]["geometry"]["coordinates"][0]
    assert aleppo["x"][: len(ring)] == [p[0] for p in ring]
    assert aleppo["y"][: len(ring)] == [p[1] for p in ring]
    for trace in lines:
        assert trace["showlegend"] is False
        assert trace["line"]["color"] == charts.BORDER_COLOR
        assert trace["hoverinfo"] == "name"


def test_map_markers_size_colour_and_hover() -> None:
    fig = charts.events_map(map_df(), charts.load_borders())
    points = {t["name"]: t for t in traces(fig, "scatter") if t["mode"] == "markers"}
    assert list(points) == ["Battles", "Explosions/Remote violence", "Strategic developments"]
    battles = points["Battles"]
    assert battles["x"] == [37.1343, 36.1021]  # longitude on x
    assert battles["y"] == [36.2021, 32.6189]  # latitude on y
    marker = battles["marker"]
    assert marker["color"] == charts.EVENT_TYPE_COLORS["Battles"]
    assert marker["size"] == [16, 1]
    assert marker["sizemode"] == "area"  # area ∝ count, so diameter ∝ sqrt(count)
    # every trace shares one sizeref: the largest count gets MAP_MAX_MARKER_PX
    refs = [t["marker"]["sizeref"] for t in points.values()]
    assert refs == pytest.approx([2 * 16 / charts.MAP_MAX_MARKER_PX**2] * 3)
    assert battles["customdata"][0] == [
        "Aleppo", "Aleppo", "Battles", 16, "2016-01-02", "2016-02-20"
    ]
    for field in ("customdata[0]", "customdata[1]", "customdata[3]", "customdata[5]"):
        assert field in battles["hovertemplate"]
    notes = [a["text"] for a in fig.to_dict()["layout"]["annotations"]]
    assert notes == ["1 location(s) without coordinates are not shown"]


def test_map_is_offline_with_a_latitude_aspect_and_selection() -> None:
    fig = charts.events_map(map_df(), charts.load_borders())
    spec = fig.to_dict()
    kinds = {t["type"] for t in spec["data"]}
    assert kinds == {"scatter"}  # no scattergeo / scattermap: they download maps
    layout = spec["layout"]
    assert layout["yaxis"]["scaleanchor"] == "x"
    assert layout["yaxis"]["scaleratio"] == pytest.approx(1 / math.cos(math.radians(35)))
    assert layout["xaxis"]["visible"] is False and layout["yaxis"]["visible"] is False
    assert layout["dragmode"] in ("select", "lasso")
    lo, hi = layout["xaxis"]["range"]
    assert 35 < lo < 36 and 42 < hi < 43  # Syria's longitudes


def test_map_handles_multipolygons_and_defaults_to_the_bundled_borders() -> None:
    borders = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Two islands"},
        "geometry": {"type": "MultiPolygon", "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 0]]],
            [[[5, 5], [6, 5], [6, 6], [5, 5]]],
        ]},
    }]}
    fig = charts.events_map(map_df().iloc[0:0], borders)
    (line,) = traces(fig, "scatter")
    assert line["x"] == [0, 1, 1, 0, None, 5, 6, 6, 5]
    assert len([t for t in traces(charts.events_map(map_df()), "scatter")
                if t["mode"] == "lines"]) == 15
    assert charts.load_borders() is charts.load_borders()  # cached


# --- evacuations ------------------------------------------------------------------------


def test_evacuations_bars_and_cumulative_line_on_a_second_axis() -> None:
    fig = charts.evacuations_over_time(evacuations_df())
    (bar,) = traces(fig, "bar")
    (line,) = traces(fig, "scatter")
    assert bar["y"] == [1200, 0, 3400, 500]
    assert bar["x"] == ["2016-01-04", "2016-01-11", "2016-01-18", "2016-02-01"]
    assert line["y"] == [1200, 1200, 4600, 5100]
    assert line["yaxis"] == "y2"
    layout = fig.to_dict()["layout"]
    assert layout["yaxis2"]["overlaying"] == "y"
    assert layout["yaxis2"]["side"] == "right"


def test_buses_bars_span_their_period_and_stand_on_zero() -> None:
    spec = charts.buses_over_time(buses_df()).to_dict()
    data = rows(spec, "buses")
    assert [r["buses"] for r in data] == [20, 0, 45, 8]
    # weekly periods are inferred from the spacing: each bar ends 7 days later
    assert data[0]["period"].startswith("2016-01-04") and data[0]["end"].startswith("2016-01-11")
    enc = spec["encoding"]
    assert enc["x"]["field"] == "period" and enc["x"]["type"] == "temporal"
    assert enc["x2"]["field"] == "end"
    assert enc["y2"] == {"datum": 0}
    monthly = rows(charts.buses_over_time(buses_df(), grain="month").to_dict(), "buses")
    assert monthly[0]["end"].startswith("2016-02-01")


def test_flows_sankey_keeps_origins_and_destinations_apart() -> None:
    fig = charts.evacuation_flows(flows_df())
    (sankey,) = fig.to_dict()["data"]
    labels = sankey["node"]["label"]
    sides = sankey["node"]["customdata"]
    origins = [label for label, side in zip(labels, sides, strict=True) if side == "origin"]
    assert origins == ["Darayya", "Madaya", "Idlib"]  # largest first
    assert labels.count("Idlib") == 2 and labels.count("Madaya") == 2
    links = sankey["link"]
    assert sum(links["value"]) == flows_df()["people"].sum()
    n = len(origins)
    assert all(s < n <= t for s, t in zip(links["source"], links["target"], strict=True))
    flows = {
        (labels[s], labels[t]): v
        for s, t, v in zip(links["source"], links["target"], links["value"], strict=True)
    }
    assert flows == {
        ("Darayya", "Idlib"): 4000, ("Darayya", "Kisweh"): 700,
        ("Madaya", "Idlib"): 1200, ("Idlib", "Madaya"): 300,
    }


# --- overview and actors ----------------------------------------------------------------


def test_overview_timeline_draws_reports_and_events() -> None:
    spec = charts.overview_timeline(overview_df()).to_dict()
    data = rows(spec, "series")
    assert {r["series"] for r in data} == {"Reports", "Events"}
    reports = [r["count"] for r in data if r["series"] == "Reports"]
    assert reports == [10, 14, 7, 12]
    assert {mark_type(u) for u in units(spec)} == {"area", "line"}
    color = units(spec)[1]["encoding"]["color"]
    assert color["scale"]["range"] == [charts.REPORTS_COLOR, charts.EVENTS_COLOR]
    assert spec["height"] == charts.OVERVIEW_HEIGHT < charts.CHART_HEIGHT  # compact


def test_actor_mentions_lines_coloured_by_actor_with_legend_selection() -> None:
    spec = charts.actor_mentions_over_time(mentions_df()).to_dict()
    assert mark_type(spec) == "line"
    assert spec["encoding"]["color"]["field"] == "actor"
    assert spec["encoding"]["y"]["field"] == "mentions"
    (param,) = spec["params"]
    assert param["select"]["fields"] == ["actor"] and param["bind"] == "legend"
    assert len(rows(spec, "actor")) == 8


def test_top_actors_sorted_horizontal_bars() -> None:
    spec = charts.top_actors(top_actors_df()).to_dict()
    assert mark_type(spec) == "bar"
    assert spec["encoding"]["x"]["field"] == "mentions"
    assert spec["encoding"]["y"]["field"] == "actor"
    assert spec["encoding"]["y"]["sort"] == ["Syrian Army", "Russia", "Jabhat al-Nusra", "ISIS"]


def test_comention_heatmap_cells_are_symmetric_with_counts() -> None:
    spec = charts.comention_matrix(comention_df()).to_dict()
    cells = {(r["actor_a"], r["actor_b"]): r["reports"] for r in rows(spec, "actor_a")}
    assert cells == {
        ("Russia", "Syrian Army"): 12, ("Syrian Army", "Russia"): 12,
        ("Russia", "ISIS"): 3, ("ISIS", "Russia"): 3,
        ("Syrian Army", "Jabhat al-Nusra"): 7, ("Jabhat al-Nusra", "Syrian Army"): 7,
    }
    rect, text = units(spec)
    assert mark_type(rect) == "rect" and rect["encoding"]["color"]["field"] == "reports"
    assert mark_type(text) == "text" and text["encoding"]["text"]["field"] == "reports"
    assert rect["encoding"]["x"]["sort"][0] == "Syrian Army"  # most co-mentioned first


# --- sentiment --------------------------------------------------------------------------


def test_histogram_stacks_buckets_coloured_by_label() -> None:
    spec = charts.sentiment_histogram(histogram_df()).to_dict()
    enc = spec["encoding"]
    assert enc["color"]["field"] == "sentiment_label"
    assert enc["color"]["scale"] == {
        "domain": ["negative", "neutral", "positive"],
        "range": [charts.SENTIMENT_COLORS[k] for k in ("negative", "neutral", "positive")],
    }
    assert charts.SENTIMENT_COLORS["negative"] == "#d62728"  # red
    assert enc["x"]["bin"] == "binned" and enc["x2"]["field"] == "bucket_end"
    assert enc["y"]["field"] == "comments"
    data = rows(spec, "bucket")
    assert [(r["bucket"], r["bucket_end"]) for r in data][:2] == [(-0.8, -0.6), (-0.6, -0.4)]
    at_zero = {r["sentiment_label"]: r["comments"] for r in data if r["bucket"] == 0.0}
    assert at_zero == {"neutral": 15, "positive": 2}


def test_sentiment_over_time_line_with_zero_rule() -> None:
    spec = charts.sentiment_over_time(sentiment_time_df()).to_dict()
    line, rule = units(spec)
    assert mark_type(line) == "line" and line["encoding"]["y"]["field"] == "mean_sentiment"
    assert mark_type(rule) == "rule"
    assert rows(spec, "y") == [{"y": 0.0}]
    assert [r["mean_sentiment"] for r in rows(spec, "mean_sentiment")] == [-0.3, -0.1, 0.05, -0.45]


def test_sentiment_by_actor_diverging_bars() -> None:
    spec = charts.sentiment_by_actor(sentiment_actor_df()).to_dict()
    bars, rule = units(spec)
    assert mark_type(bars) == "bar" and mark_type(rule) == "rule"
    assert bars["encoding"]["y"]["sort"] == ["ISIS", "Syrian Army", "Russia"]
    scale = bars["encoding"]["color"]["scale"]
    assert scale["type"] == "threshold"
    assert scale["range"] == [charts.SENTIMENT_COLORS[k] for k in charts.SENTIMENT_LABELS]


def test_sentiment_per_report_truncates_labels_but_not_tooltips() -> None:
    spec = charts.sentiment_per_report(per_report_df()).to_dict()
    data = rows(spec, "label")
    labels = [r["label"] for r in data]
    assert len(set(labels)) == 3  # two reports with the same title and day stay apart
    assert all(len(label) <= len("2016-08-26 · ") + charts.TITLE_LABEL_CHARS + 4
               for label in labels)
    assert any(label.endswith("…") for label in labels)
    assert LONG_TITLE in [r["title"] for r in data]
    tooltip = [t["field"] for t in spec["encoding"]["tooltip"]]
    assert tooltip[0] == "title"
    assert spec["encoding"]["y"]["field"] == "label"
    (param,) = spec["params"]
    assert param["name"] == "report" and param["select"]["fields"] == ["report_id"]
    without_ids = charts.sentiment_per_report(per_report_df().drop(columns="report_id"))
    assert without_ids.to_dict()["params"][0]["select"]["fields"] == ["title", "published"]


def test_top_commenters_coloured_by_mean_sentiment() -> None:
    spec = charts.top_commenters(commenters_df()).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["(anonymous)", "Abu Omar", "Sarah K"]
    assert spec["encoding"]["color"]["field"] == "mean_sentiment"
    assert {r["author"]: r["comments"] for r in rows(spec, "author")} == {
        "(anonymous)": 30, "Abu Omar": 12, "Sarah K": 4,
    }


# --- time axes follow the bulk of the data ------------------------------------------------

BULK_WEEKS = pd.date_range("2016-01-04", periods=100, freq="7D")  # Mondays, 2016-01-04 onwards
STRAY = pd.Timestamp("2000-01-03")  # one report that mentions a date 16 years earlier


def weekly(column: str, value: float = 5, stray: bool = True, **more: object) -> pd.DataFrame:
    """100 weeks of data, and (``stray``) one period 16 years before the rest."""
    periods = [STRAY, *BULK_WEEKS] if stray else list(BULK_WEEKS)
    return pd.DataFrame({"period": periods, column: [1] + [value] * 100 if stray
                         else [value] * 100, **more})


def test_time_window_leaves_out_a_stray_date_far_from_the_bulk() -> None:
    df = weekly("events")
    assert charts.time_window(df["period"], df["events"]) == (BULK_WEEKS[0], BULK_WEEKS[-1])
    assert charts.time_window(df["period"]) == (BULK_WEEKS[0], BULK_WEEKS[-1])  # unweighted too


def test_time_window_keeps_dates_that_are_near_or_carry_weight() -> None:
    assert charts.time_window(weekly("events", stray=False)["period"]) is None  # all bulk
    near = pd.Series([BULK_WEEKS[0] - pd.Timedelta(days=60), *BULK_WEEKS])
    assert charts.time_window(near) is None  # two months before the bulk: shown
    heavy = weekly("events", value=1)
    heavy.loc[0, "events"] = 100  # half of all events are that old: they are data, not noise
    assert charts.time_window(heavy["period"], heavy["events"]) is None
    assert charts.time_window(pd.Series([STRAY])) is None
    assert charts.time_window(pd.Series([], dtype="datetime64[ns]")) is None


def test_events_timeline_axis_starts_at_the_bulk_and_keeps_the_stray_bar() -> None:
    df = weekly("events", event_type="Battles")
    fig = charts.events_timeline(df, "week")
    low, high = fig.layout.xaxis.range
    assert "2015-12-01" <= low <= "2016-01-04"
    assert high >= "2017-12-04"  # the last week's bar (27 Nov 2017 + 7 days) is whole
    assert "2000-01-03" in traces(fig, "bar")[0]["x"]  # the data is still there
    assert charts.events_timeline(weekly("events", stray=False, event_type="Battles"),
                                  "week").layout.xaxis.range is None


def test_evacuations_axis_starts_at_the_bulk() -> None:
    df = weekly("people", cumulative=0)
    low, _ = charts.evacuations_over_time(df).layout.xaxis.range
    assert "2015-12-01" <= low <= "2016-01-04"


def _x_domain_years(spec: dict) -> list[int] | None:
    """Years of the x scale domain of an Altair spec (first layer that has one)."""
    for part in [spec, *spec.get("layer", [])]:
        domain = part.get("encoding", {}).get("x", {}).get("scale", {}).get("domain")
        if domain:
            return [d["year"] for d in domain]
    return None


@pytest.mark.parametrize("make", [
    lambda stray: charts.overview_timeline(weekly("reports", stray=stray, events=3)),
    lambda stray: charts.actor_mentions_over_time(weekly("mentions", stray=stray, actor="ISIS")),
    lambda stray: charts.sentiment_over_time(
        weekly("comments", stray=stray, mean_sentiment=0.1)),
    lambda stray: charts.buses_over_time(weekly("buses", stray=stray), "week"),
])
def test_altair_time_axes_start_at_the_bulk(make: Callable[[bool], alt.TopLevelMixin]) -> None:
    assert _x_domain_years(make(True).to_dict()) in ([2015, 2017], [2016, 2017])
    assert _x_domain_years(make(False).to_dict()) is None  # nothing stray: the axis fits all
