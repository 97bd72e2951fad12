"""Every chart of the dashboard: a pure function from a query's DataFrame to a figure.

No Streamlit and no database here, so every chart can be tested and exported on its own.
Plotly draws what needs rich interaction (the events timeline and map, evacuation charts,
the Sankey); Altair draws the rest. Each function accepts an empty DataFrame and then
returns a figure that says ``NO_DATA`` instead of raising.

Colours are fixed, so a category looks the same on every page: ``EVENT_TYPE_COLORS`` for
ACLED event types and ``SENTIMENT_COLORS`` for comment sentiment labels.

Selections (for ``st.plotly_chart(..., on_select=...)`` / ``st.altair_chart(..., on_select=...)``):

* Plotly charts carry ``customdata`` on every selectable point (see each function), so a
  page reads ``event.selection["points"][i]["customdata"]`` rather than ``point_indices``
  (those are per trace, and Streamlit merges them across traces).
* Altair charts get a *named* selection parameter when ``select=True`` (the default); the
  names are listed in ``SELECTIONS``. An empty chart keeps the same parameter name, so
  ``on_select`` never fails on it.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from itertools import pairwise

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.paths import DATA_DIR

# Altair checks each schema object against the Vega-Lite JSON schema as it is built (its
# "debug mode", for nicer tracebacks), and the whole spec again in ``to_dict()``: the
# first check costs ~5-10 ms a chart on every page run and finds nothing the second
# misses (tests/test_charts.py validates every chart through ``to_dict()``).
alt.utils.schemapi.disable_debug_mode()
# Encodings are given as channel objects (``alt.X("a:Q")``, ``alt.OpacityValue(...)``), never
# as shorthand strings or dicts: Altair resolves those against the schema, ~5-7 ms each.

NO_DATA = "No data for these filters"

# ACLED's six event types, in ACLED's own order (used for stacking and legends).
EVENT_TYPE_COLORS: dict[str, str] = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9",
    "Riots": "#d4ac0d",
    "Strategic developments": "#16a085",
}
OTHER_EVENT_COLOR = "#7f8c8d"

SENTIMENT_LABELS = ("negative", "neutral", "positive")
SENTIMENT_COLORS: dict[str, str] = {
    "negative": "#d62728",
    "neutral": "#9e9e9e",
    "positive": "#2ca02c",
}
# Colour for a mean sentiment score, with the thresholds that define the comment labels
# (negative <= -0.05 < neutral < 0.05 <= positive), so a mean looks like the label it falls in.
SENTIMENT_THRESHOLD = 0.05
SENTIMENT_SCALE = alt.Scale(
    type="threshold",
    domain=[-SENTIMENT_THRESHOLD + 1e-9, SENTIMENT_THRESHOLD],  # -0.05 itself is negative
    range=[SENTIMENT_COLORS[k] for k in SENTIMENT_LABELS],
)

REPORTS_COLOR = "#34495e"
EVENTS_COLOR = "#c0392b"
PEOPLE_COLOR = "#16a085"
CUMULATIVE_COLOR = "#2c3e50"
BAR_COLOR = "#4c78a8"
BORDER_COLOR = "#9e9e9e"

PLOTLY_TEMPLATE = "plotly_white"
MAP_ASPECT_LATITUDE = 35.0  # degrees; Syria spans ~32.3-37.3 N
MAP_MAX_MARKER_PX = 36
MAP_MIN_MARKER_PX = 5
TITLE_LABEL_CHARS = 45
# Altair heights are the *whole* chart's (title, legend and axes included) once Streamlit
# draws it: st.altair_chart sets autosize "fit". Export resizes the plot area itself.
OVERVIEW_HEIGHT = 260
CHART_HEIGHT = 320
DATE_AXIS = alt.Axis(format="%-d %b %Y", labelOverlap=True)
NAME_AXIS = alt.Axis(labelLimit=300)  # long actor and author names

# Names of the Altair selection parameters, by chart function, and the payload that
# st.altair_chart(..., on_select=...) returns under event.selection[name].
SPAN = "interval on x: {'period': [start_ms, end_ms]} (epoch milliseconds, UTC)"
SELECTIONS: dict[str, tuple[str, str]] = {
    "overview_timeline": ("span", SPAN),
    "buses_over_time": ("span", SPAN),
    "actor_mentions_over_time": ("actor", "point: [{'actor': ...}] (also legend click)"),
    "top_actors": ("actor", "point: [{'actor': ...}]"),
    "comention_matrix": ("pair", "point: [{'actor_a': ..., 'actor_b': ...}]"),
    "sentiment_histogram": ("range", "interval on x: {'bucket': [low, high]} (scores)"),
    "sentiment_over_time": ("span", SPAN),
    "sentiment_by_actor": ("actor", "point: [{'actor': ...}]"),
    "sentiment_per_report": ("report", "point: [{'report_id': ...}] or [{'title','published'}]"),
    "top_commenters": ("author", "point: [{'author': ...}]"),
}


# --- shared helpers ---------------------------------------------------------------------


def event_type_color(event_type: str) -> str:
    return EVENT_TYPE_COLORS.get(event_type, OTHER_EVENT_COLOR)


def _ordered_event_types(types: pd.Series) -> list[str]:
    present = {str(t) for t in types.dropna().unique()}
    known = [t for t in EVENT_TYPE_COLORS if t in present]
    return known + sorted(present - set(known))


def _is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


@lru_cache(maxsize=1)
def _template() -> dict:
    """``PLOTLY_TEMPLATE`` as a plain dict, read once: Plotly re-validates a named template
    on every figure (~20 ms), the same for every chart."""
    import plotly.io as pio

    return pio.templates[PLOTLY_TEMPLATE].to_plotly_json()


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from trace and layout dicts built here, without Plotly's per-value checks.

    Validation costs more than the rest of a chart (every array copied and checked, the
    template rebuilt) and adds nothing at run time: the dicts come from this module, and
    ``tests/test_charts.py`` rebuilds every chart through the validating constructor. The
    JSON sent to the browser is the same.
    """
    return go.Figure(data=data, layout={**layout, "template": _template()},
                     _validate=False)


NO_DATA_NOTE = {
    "text": NO_DATA, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
    "showarrow": False, "font": {"size": 16, "color": "#666666"},
}


def _plotly_empty(title: str, data: list[dict] | None = None,
                  layout: dict | None = None) -> go.Figure:
    """The "no data" figure; ``data``/``layout`` keep what is drawn anyway (map borders)."""
    layout = dict(layout or {})
    layout["annotations"] = [*layout.get("annotations", []), NO_DATA_NOTE]
    layout["title"] = {"text": title}
    layout["xaxis"] = {**layout.get("xaxis", {}), "visible": False}
    layout["yaxis"] = {**layout.get("yaxis", {}), "visible": False}
    return _figure(list(data or []), layout)


def _altair_empty(title: str, selection: str | None, height: int = CHART_HEIGHT) -> alt.Chart:
    chart = (
        alt.Chart(pd.DataFrame({"message": [NO_DATA]}))
        .mark_text(fontSize=16, color="#666666")
        .encode(text=alt.Text("message:N"))
        .properties(title=title, height=height)
    )
    if selection:
        # Keep the parameter name so st.altair_chart(on_select=...) accepts the empty chart.
        chart = chart.add_params(alt.selection_point(name=selection))
    return chart


def _selection_name(function: str, select: bool) -> str | None:
    return SELECTIONS[function][0] if select else None


def _datetimes(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce")


def _period_end(periods: pd.Series, grain: str | None) -> pd.Series:
    """The end of each period (start of the next), by grain or inferred from the spacing."""
    grain = grain or _infer_grain(periods)
    if grain == "month":
        return periods + pd.offsets.MonthBegin(1)
    if grain == "week":
        return periods + pd.Timedelta(days=7)
    return periods + pd.Timedelta(days=1)


def _infer_grain(periods: pd.Series) -> str:
    unique = pd.Series(sorted(periods.dropna().unique()))
    if len(unique) < 2:
        return "day"
    smallest = unique.diff().dropna().min()
    if smallest >= pd.Timedelta(days=28):
        return "month"
    if smallest >= pd.Timedelta(days=7):
        return "week"
    return "day"


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                       "Nov", "Dec")


def period_labels(starts: pd.Series, grain: str) -> pd.Series:
    """"week of 4 Jan 2016", "Jan 2016", "4 Jan 2016" for a column of period starts.

    Built from NumPy's day, month and year numbers (``strftime`` costs ~7 ms on a few
    hundred weeks); English month names, as ``%b`` gives in the C locale. A missing start
    gets no label (NaN).
    """
    days = starts.to_numpy(dtype="datetime64[D]")
    missing = np.isnat(days)
    days = np.where(missing, np.datetime64(0, "D"), days)
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    day = (days - months).astype(int) + 1
    month = (months - years).astype(int)
    year = years.astype(int) + 1970
    if grain == "month":
        text = [f"{MONTH_ABBREVIATIONS[m]} {y}" for m, y in zip(month, year, strict=True)]
    else:
        head = "week of " if grain == "week" else ""
        text = [f"{head}{d} {MONTH_ABBREVIATIONS[m]} {y}"
                for d, m, y in zip(day, month, year, strict=True)]
    labels = pd.Series(text, index=starts.index, dtype=object)
    return labels.mask(missing) if missing.any() else labels


def _rows(*columns: pd.Series | np.ndarray | list) -> np.ndarray:
    """Columns side by side as one NumPy record per point, for ``customdata``.

    A figure copies its data when built and again when shown: a record array is copied as
    one block, where an object array (or a list of lists) is copied item by item. Plotly
    sends each record as a JSON row of strings and numbers, as it would a list of lists.
    """
    arrays = [np.asarray(column) for column in columns]
    fields = [a.astype(str) if a.dtype == object else a for a in arrays]
    out = np.empty(len(fields[0]), dtype=[(f"c{i}", f.dtype) for i, f in enumerate(fields)])
    for i, field in enumerate(fields):
        out[f"c{i}"] = field
    return out


def _iso_dates(values: pd.Series) -> list[str]:
    """Dates as ``YYYY-MM-DD`` ("" for a missing one), formatted by NumPy in one pass."""
    days = _datetimes(values).to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), "", np.datetime_as_string(days, unit="D")).tolist()


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").fillna(0)


# Time axes show the bulk of the data, so that a few stray dates (a report that mentions
# 1991 in a corpus of 2011-2019) never stretch the axis over decades of almost nothing.
# Two kinds of strays are left off the axis (never out of the data: the bars are still in
# the figure, and the tables and CSV downloads have every row):
# * a lone period far from the rest: a gap wider than the rest's span (and BULK_MIN_GAP),
#   holding at most STRAY_SHARE of the weight;
# * thin tails: the first and last TAIL_SHARE of the weight, when the whole span is more
#   than TAIL_SPAN_RATIO times the span between them (otherwise the axis fits everything).
STRAY_SHARE = 0.1
BULK_MIN_GAP = pd.Timedelta(days=92)
TAIL_SHARE = 0.02
TAIL_SPAN_RATIO = 1.5
AXIS_PAD_SHARE = 0.02


def time_window(
    periods: pd.Series, weights: pd.Series | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The first and last period a time axis should show, or None to fit all of them.

    ``weights`` (e.g. events per period) say where the bulk is; without weights, or when
    they sum to zero, every period counts once. (NumPy throughout: every time chart calls
    this on each run.)
    """
    stamps = _datetimes(periods).to_numpy(dtype="datetime64[ns]")
    weight = (np.ones(len(stamps)) if weights is None
              else _numbers(weights).clip(lower=0).to_numpy(dtype=float))
    known = ~np.isnat(stamps)
    stamps, weight = stamps[known], weight[known]
    if len(stamps) == 0:
        return None
    if weight.sum() <= 0:
        weight = np.ones(len(stamps))
    times, where = np.unique(stamps, return_inverse=True)
    weight = np.bincount(where.ravel(), weights=weight, minlength=len(times))
    gap = np.timedelta64(BULK_MIN_GAP.value, "ns")
    stray = STRAY_SHARE * weight.sum()
    low, high = 0, len(times) - 1
    while high - low >= 2 and weight[low] <= stray and (
            times[low + 1] - times[low] > max(times[high] - times[low + 1], gap)):
        low += 1
    while high - low >= 2 and weight[high] <= stray and (
            times[high] - times[high - 1] > max(times[high - 1] - times[low], gap)):
        high -= 1
    share = weight[low:high + 1].cumsum() / weight[low:high + 1].sum()
    tail_low = low + int((share >= TAIL_SHARE).argmax())
    tail_high = low + int((share >= 1 - TAIL_SHARE).argmax())
    if times[high] - times[low] > TAIL_SPAN_RATIO * (times[tail_high] - times[tail_low]):
        low, high = tail_low, tail_high
    if low == 0 and high == len(times) - 1:
        return None
    return pd.Timestamp(times[low]), pd.Timestamp(times[high])


def _axis_range(
    window: tuple[pd.Timestamp, pd.Timestamp], grain: str | None = None,
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window padded a little; with a grain, the last period's bar is shown whole."""
    low, high = window
    if grain:
        high = _period_end(pd.Series([high]), grain).iloc[0]
    pad = max((high - low) * AXIS_PAD_SHARE, pd.Timedelta(days=1))
    return (low - pad).normalize(), (high + pad).normalize()


def _altair_time_scale(
    periods: pd.Series, weights: pd.Series | None = None, grain: str | None = None,
) -> alt.Scale | None:
    """An x scale limited to the bulk of the data (see ``time_window``), or None."""
    window = time_window(periods, weights)
    if window is None:
        return None
    low, high = _axis_range(window, grain)
    return alt.Scale(domain=[_vega_datetime(low), _vega_datetime(high)])


def _vega_datetime(t: pd.Timestamp) -> alt.DateTime:
    # local time, as Vega-Lite reads the chart's own (time-zone-less) dates
    return alt.DateTime(year=t.year, month=t.month, date=t.day)


def _time_x(
    field: str, periods: pd.Series, weights: pd.Series | None = None, grain: str | None = None,
) -> alt.X:
    """The shared time x encoding, its domain limited to the bulk of the data if needed."""
    scale = _altair_time_scale(periods, weights, grain)
    if scale is None:
        return alt.X(field, title="Date", axis=DATE_AXIS)
    return alt.X(field, title="Date", axis=DATE_AXIS, scale=scale)


def _iso_range(window: tuple[pd.Timestamp, pd.Timestamp], grain: str | None) -> list[str]:
    """A Plotly date axis range for the window."""
    return [t.strftime("%Y-%m-%d") for t in _axis_range(window, grain)]


# --- events (Plotly) --------------------------------------------------------------------


def events_timeline(df: pd.DataFrame, grain: str = "week") -> go.Figure:
    """Stacked bars of events per period, one trace per event type.

    df: ``period`` (start of the period), ``event_type``, ``events``. Each bar is drawn
    from its period's start across 85 % of the period (x = the start, as ``YYYY-MM-DD``);
    ``customdata`` = [period start, event_type, events]. A horizontal box selection picks
    a span.
    """
    title = "Events over time"
    if _is_empty(df):
        return _plotly_empty(title)
    d = df.assign(period=_datetimes(df["period"]), events=_numbers(df["events"]))
    d = d.dropna(subset=["period"])
    if d.empty:
        return _plotly_empty(title)
    d["event_type"] = d["event_type"].fillna("Unknown").astype(str)
    # sorted by period (then type): groupby sorts its keys
    d = d.groupby(["period", "event_type"], as_index=False)["events"].sum()
    # Labels, starts and widths per distinct period (a few hundred), then spread to the rows.
    periods, where = np.unique(d["period"].to_numpy(dtype="datetime64[ns]"),
                               return_inverse=True)
    where = where.ravel()
    starts = pd.Series(periods)
    # text as fixed-width NumPy strings, not objects: a figure is deep-copied when shown,
    # and a copy of an object array copies every string one by one
    start_text = np.datetime_as_string(periods, unit="D")[where]
    labels = period_labels(starts, grain).to_numpy(dtype=str)[where]
    width_ms = ((_period_end(starts, grain) - starts).dt.total_seconds().to_numpy()
                * 1000 * 0.85)[where]
    types = d["event_type"].to_numpy(dtype=object)
    counts = d["events"].to_numpy().astype(int)
    data = []
    for event_type in _ordered_event_types(d["event_type"]):
        part = types == event_type
        data.append({
            "type": "bar",
            # NumPy arrays, not lists: Plotly sends numeric ones as binary
            "x": start_text[part],
            "y": counts[part],
            "width": width_ms[part],
            "offset": 0,  # the bar starts at the period's start (x) instead of centring on it
            "name": event_type,
            "marker": {"color": event_type_color(event_type)},
            # y in a selection payload is the top of the stack, so the count is given here too
            "customdata": _rows(start_text[part], [event_type] * int(part.sum()),
                                counts[part]),
            "hovertext": labels[part],
            "hovertemplate": (
                f"%{{hovertext}}<br>{event_type}: %{{customdata[2]}} events<extra></extra>"
            ),
        })
    xaxis: dict = {"type": "date", "title": {"text": "Date"}}
    window = time_window(d["period"], d["events"])
    if window is not None:
        xaxis["range"] = _iso_range(window, grain)
    return _figure(data, {
        "title": {"text": title},
        "barmode": "stack",
        "dragmode": "select",
        "selectdirection": "h",
        "clickmode": "event+select",
        "hovermode": "closest",
        # a vertical legend on the right never wraps into the title on narrow screens
        "legend": {"traceorder": "normal"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "height": 380,
        "xaxis": xaxis,
        "yaxis": {"title": {"text": "Events"}, "rangemode": "tozero"},
    })


@lru_cache(maxsize=1)
def load_borders() -> dict:
    """Syria's governorate borders (GeoJSON; treat the returned dict as read-only)."""
    return json.loads((DATA_DIR / "syria_admin1.geojson").read_text(encoding="utf-8"))


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def _border_traces(borders: dict) -> list[dict]:
    traces = []
    for feature in borders.get("features", []):
        name = str((feature.get("properties") or {}).get("name", ""))
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(feature.get("geometry") or {}):
            if xs:
                xs.append(None)
                ys.append(None)
            xs.extend(float(p[0]) for p in ring)
            ys.extend(float(p[1]) for p in ring)
        traces.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": name,
            "showlegend": False, "line": {"color": BORDER_COLOR, "width": 0.8},
            # An invisible fill makes the whole governorate show its name on hover; line-only
            # traces are never part of a box/lasso selection.
            "fill": "toself", "fillcolor": "rgba(0,0,0,0)", "hoveron": "fills",
            "hoverinfo": "name",
        })
    return traces


Bounds = tuple[float, float, float, float]  # min x, max x, min y, max y


@lru_cache(maxsize=1)
def _default_border_layer() -> tuple[tuple[dict, ...], Bounds | None]:
    """The border traces and bounds of ``load_borders()``, built once per process: the map
    is drawn on every Events page run and the borders never change (a figure copies the
    traces it is given, so the cached ones are never changed)."""
    borders = load_borders()
    return tuple(_border_traces(borders)), _bounds(borders)


def _bounds(borders: dict) -> Bounds | None:
    xs, ys = [], []
    for feature in borders.get("features", []):
        for ring in _rings(feature.get("geometry") or {}):
            xs.extend(p[0] for p in ring)
            ys.extend(p[1] for p in ring)
    return (min(xs), max(xs), min(ys), max(ys)) if xs else None


def events_map(df: pd.DataFrame, borders: dict | None = None) -> go.Figure:
    """Event locations on governorate borders, drawn offline on plain x/y axes.

    df: ``location``, ``admin1``, ``latitude``, ``longitude``, ``event_type``, ``events``,
    ``first_date``, ``last_date``. Marker area ∝ events (diameter ∝ sqrt(events)), one trace
    per event type; ``customdata`` = [location, admin1, event_type, events, first, last].
    Rows without coordinates are counted in a note, not drawn. ``borders`` defaults to
    ``load_borders()``.
    """
    title = "Where events happened"
    if borders is None:
        traces, bounds = _default_border_layer()
    else:
        traces, bounds = tuple(_border_traces(borders)), _bounds(borders)
    xaxis: dict = {"visible": False, "constrain": "domain"}
    yaxis: dict = {"visible": False, "scaleanchor": "x",
                   "scaleratio": 1 / math.cos(math.radians(MAP_ASPECT_LATITUDE))}
    if bounds:
        pad = 0.2
        xaxis["range"] = [bounds[0] - pad, bounds[1] + pad]
        yaxis["range"] = [bounds[2] - pad, bounds[3] + pad]
    layout: dict = {
        "title": {"text": title},
        "dragmode": "select",
        "clickmode": "event+select",
        "hovermode": "closest",
        "legend": {"itemsizing": "constant"},
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "height": 560,
        "plot_bgcolor": "white",
        "xaxis": xaxis,
        "yaxis": yaxis,
    }
    data = list(traces)
    if _is_empty(df):
        return _plotly_empty(title, data, layout)
    lat = pd.to_numeric(df["latitude"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(df["longitude"], errors="coerce").to_numpy(dtype=float)
    events = _numbers(df["events"]).to_numpy(dtype=float)
    placed = ~(np.isnan(lat) | np.isnan(lon))
    missing = int((~placed).sum())
    keep = placed & (events > 0)
    if not keep.any():
        return _plotly_empty(title, data, layout)
    d = df[keep]
    lat, lon, counts = lat[keep], lon[keep], events[keep].astype(int)
    types = d["event_type"].fillna("Unknown").astype(str).to_numpy(dtype=object)
    sizeref = 2.0 * float(counts.max()) / MAP_MAX_MARKER_PX**2
    locations = d["location"].astype(str).to_numpy(dtype=object)
    admin1 = d["admin1"].fillna("").astype(str).to_numpy(dtype=object)
    first = np.array(_iso_dates(d["first_date"]), dtype=object)
    last = np.array(_iso_dates(d["last_date"]), dtype=object)
    for event_type in _ordered_event_types(pd.Series(types)):
        part = types == event_type
        data.append({
            "type": "scatter", "x": lon[part], "y": lat[part], "mode": "markers",
            "name": event_type,
            "customdata": _rows(locations[part], admin1[part],
                                [event_type] * int(part.sum()), counts[part], first[part],
                                last[part]),
            "marker": {
                "size": counts[part], "sizemode": "area",
                "sizeref": sizeref, "sizemin": MAP_MIN_MARKER_PX,
                "color": event_type_color(event_type), "opacity": 0.8,
                "line": {"color": "white", "width": 0.8},
            },
            "hovertemplate": (
                "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}: "
                "%{customdata[3]} events<br>%{customdata[4]} to %{customdata[5]}<extra></extra>"
            ),
        })
    if missing:
        layout["annotations"] = [{
            "text": f"{missing} location(s) without coordinates are not shown",
            "xref": "paper", "yref": "paper", "x": 1, "y": 0, "xanchor": "right",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 11, "color": "#666666"},
        }]
    return _figure(data, layout)


# --- evacuations ------------------------------------------------------------------------


def evacuations_over_time(df: pd.DataFrame) -> go.Figure:
    """Bars of people evacuated per period and a line of the running total (right axis).

    df: ``period``, ``people``, ``cumulative``. ``customdata`` on the bars = period start.
    """
    title = "People evacuated"
    if _is_empty(df):
        return _plotly_empty(title)
    d = df.assign(
        period=_datetimes(df["period"]), people=_numbers(df["people"]),
        cumulative=_numbers(df["cumulative"]),
    ).dropna(subset=["period"]).sort_values("period")
    if d.empty:
        return _plotly_empty(title)
    dates = _iso_dates(d["period"])
    data = [
        {
            "type": "bar", "x": dates, "y": d["people"].astype(int).tolist(),
            "name": "People evacuated", "marker": {"color": PEOPLE_COLOR},
            "customdata": dates,
            "hovertemplate": "%{x|%d %b %Y}<br>%{y:,} people<extra></extra>",
        },
        {
            "type": "scatter", "x": dates, "y": d["cumulative"].astype(int).tolist(),
            "name": "Total so far", "mode": "lines+markers", "yaxis": "y2",
            "line": {"color": CUMULATIVE_COLOR, "width": 2},
            "hovertemplate": "%{x|%d %b %Y}<br>%{y:,} people in total<extra></extra>",
        },
    ]
    xaxis: dict = {"type": "date", "title": {"text": "Date"}}
    window = time_window(d["period"], d["people"])
    if window is not None:
        xaxis["range"] = _iso_range(window, _infer_grain(d["period"]))
    return _figure(data, {
        "title": {"text": title},
        "clickmode": "event+select",
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "margin": {"l": 60, "r": 60, "t": 70, "b": 50},
        "height": 360,
        "xaxis": xaxis,
        "yaxis": {"title": {"text": "People per period"}, "rangemode": "tozero"},
        "yaxis2": {
            "title": {"text": "Total people"}, "overlaying": "y", "side": "right",
            "rangemode": "tozero", "showgrid": False,
        },
    })


def evacuation_flows(df: pd.DataFrame) -> go.Figure:
    """Sankey of people moved from origin (left) to destination (right).

    df: ``origin``, ``destination``, ``people``. Origins and destinations are separate node
    sets, so a place on both sides never makes a cycle; ``node.customdata`` says which side.
    """
    title = "Evacuation routes"
    if _is_empty(df):
        return _plotly_empty(title)
    d = df.assign(
        origin=df["origin"].fillna("Unknown").astype(str),
        destination=df["destination"].fillna("Unknown").astype(str),
        people=_numbers(df["people"]),
    )
    d = d[d["people"] > 0].groupby(["origin", "destination"], as_index=False)["people"].sum()
    if d.empty:
        return _plotly_empty(title)
    origins = d.groupby("origin")["people"].sum().sort_values(ascending=False).index.tolist()
    destinations = (
        d.groupby("destination")["people"].sum().sort_values(ascending=False).index.tolist()
    )
    index = {("from", o): i for i, o in enumerate(origins)}
    index |= {("to", t): len(origins) + i for i, t in enumerate(destinations)}
    sankey = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {
            "label": origins + destinations,
            "customdata": ["origin"] * len(origins) + ["destination"] * len(destinations),
            "color": ["#5d6d7e"] * len(origins) + [PEOPLE_COLOR] * len(destinations),
            "pad": 12, "thickness": 14,
            "hovertemplate": "%{label} (%{customdata})<br>%{value:,} people<extra></extra>",
        },
        "link": {
            "source": [index[("from", o)] for o in d["origin"]],
            "target": [index[("to", t)] for t in d["destination"]],
            "value": d["people"].astype(int).tolist(),
            "color": "rgba(93,109,126,0.35)",
            "hovertemplate": (
                "%{source.label} → %{target.label}<br>%{value:,} people<extra></extra>"
            ),
        },
    }
    return _figure([sankey], {
        "title": {"text": title}, "height": 420,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    })


def buses_over_time(df: pd.DataFrame, grain: str | None = None, select: bool = True) -> alt.Chart:
    """Bars of buses per period (each bar spans its period). df: ``period``, ``buses``."""
    title = "Buses used"
    name = _selection_name("buses_over_time", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(period=_datetimes(df["period"]), buses=_numbers(df["buses"]))
    d = d.dropna(subset=["period"])
    if d.empty:
        return _altair_empty(title, name)
    d["end"] = _period_end(d["period"], grain)
    chart = (
        alt.Chart(d[["period", "end", "buses"]])
        .mark_bar(color=BAR_COLOR, stroke="white", strokeWidth=1, clip=True)
        .encode(
            x=_time_x("period:T", d["period"], d["buses"], grain),
            x2=alt.X2("end:T"),
            y=alt.Y("buses:Q", title="Buses"),
            y2=alt.Y2Datum(0),  # x/x2 make Vega-Lite treat bars as ranged; stand them on zero
            tooltip=[
                alt.Tooltip("period:T", title="Period from", format="%d %b %Y"),
                alt.Tooltip("buses:Q", title="Buses", format=","),
            ],
        )
        .properties(title=title, height=CHART_HEIGHT)
    )
    if name:
        chart = chart.add_params(alt.selection_interval(name=name, encodings=["x"]))
    return chart


# --- overview ---------------------------------------------------------------------------


def overview_timeline(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Compact lines of reports and events per period. df: ``period``, ``reports``, ``events``."""
    title = "Reports and events"
    name = _selection_name("overview_timeline", select)
    if _is_empty(df):
        return _altair_empty(title, name, height=OVERVIEW_HEIGHT)
    d = df.assign(
        period=_datetimes(df["period"]), reports=_numbers(df["reports"]),
        events=_numbers(df["events"]),
    ).dropna(subset=["period"])
    if d.empty:
        return _altair_empty(title, name, height=OVERVIEW_HEIGHT)
    long = d.melt(
        id_vars="period", value_vars=["reports", "events"], var_name="series", value_name="count"
    )
    long["series"] = long["series"].map({"reports": "Reports", "events": "Events"})
    # The data goes on the layer, not on its charts: Altair names a chart that has a
    # selection by a hash of its spec, data printed in (~10 ms for a DataFrame). Title and
    # height go in the same call: each ``.properties()`` rebuilds a layer (~5 ms).
    base = alt.Chart().encode(
        x=_time_x("period:T", long["period"], long["count"]),
        y=alt.Y("count:Q", title="Count"),
        color=alt.Color(
            "series:N", title=None,
            scale=alt.Scale(domain=["Reports", "Events"], range=[REPORTS_COLOR, EVENTS_COLOR]),
            legend=alt.Legend(
                orient="top", symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=3
            ),
        ),
        tooltip=[
            alt.Tooltip("period:T", title="Period", format="%d %b %Y"),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("count:Q", title="Count", format=","),
        ],
    )
    area = base.transform_filter(alt.datum.series == "Reports").mark_area(
        opacity=0.15, clip=True)
    lines = base.mark_line(point=True, strokeWidth=2, clip=True)
    if name:
        lines = lines.add_params(alt.selection_interval(name=name, encodings=["x"]))
    return alt.layer(area, lines, data=long, title=title, height=OVERVIEW_HEIGHT)


# --- actors -----------------------------------------------------------------------------


def actor_mentions_over_time(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Lines of mentions per period, one per actor. df: ``period``, ``actor``, ``mentions``."""
    title = "Actor mentions over time"
    name = _selection_name("actor_mentions_over_time", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(period=_datetimes(df["period"]), mentions=_numbers(df["mentions"]))
    d = d.dropna(subset=["period", "actor"])
    if d.empty:
        return _altair_empty(title, name)
    chart = (
        alt.Chart(d[["period", "actor", "mentions"]])
        .mark_line(point=True, clip=True)
        .encode(
            x=_time_x("period:T", d["period"], d["mentions"]),
            y=alt.Y("mentions:Q", title="Mentions"),
            color=alt.Color("actor:N", title="Actor", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("period:T", title="Period", format="%d %b %Y"),
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("mentions:Q", title="Mentions"),
            ],
        )
        .properties(title=title, height=CHART_HEIGHT)
    )
    if name:
        pick = alt.selection_point(name=name, fields=["actor"], bind="legend")
        chart = chart.add_params(pick).encode(
            opacity=alt.OpacityValue(**alt.condition(pick, alt.value(1.0), alt.value(0.2)))
        )
    return chart


def top_actors(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Horizontal bars of mentions per actor, largest first. df: ``actor``, ``mentions``."""
    title = "Most mentioned actors"
    name = _selection_name("top_actors", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(mentions=_numbers(df["mentions"])).dropna(subset=["actor"])
    d = d.sort_values(["mentions", "actor"], ascending=[False, True])
    chart = (
        alt.Chart(d[["actor", "mentions"]])
        .mark_bar(color=BAR_COLOR)
        .encode(
            x=alt.X("mentions:Q", title="Mentions"),
            y=alt.Y("actor:N", title=None, sort=d["actor"].tolist(), axis=NAME_AXIS),
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("mentions:Q", title="Mentions"),
            ],
        )
        .properties(title=title)
    )
    if name:
        pick = alt.selection_point(name=name, fields=["actor"])
        chart = chart.add_params(pick).encode(
            opacity=alt.OpacityValue(**alt.condition(pick, alt.value(1.0), alt.value(0.4)))
        )
    return chart


def comention_matrix(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Heatmap of reports mentioning both actors, with the count in each cell.

    df: ``actor_a``, ``actor_b``, ``reports``. A pair given in one direction only is mirrored,
    so the matrix is symmetric; actors are ordered by their total co-mentions.
    """
    title = "Actors mentioned together"
    name = _selection_name("comention_matrix", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(reports=_numbers(df["reports"])).dropna(subset=["actor_a", "actor_b"])
    d = d.groupby(["actor_a", "actor_b"], as_index=False)["reports"].sum()
    if d.empty:
        return _altair_empty(title, name)
    listed = list(zip(d["actor_a"], d["actor_b"], strict=True))
    known = set(listed)
    one_way = [a != b and (b, a) not in known for a, b in listed]
    mirror = d[one_way].rename(columns={"actor_a": "actor_b", "actor_b": "actor_a"})
    d = pd.concat([d, mirror], ignore_index=True)
    order = d.groupby("actor_a")["reports"].sum().sort_values(ascending=False).index.tolist()
    base = alt.Chart().encode(  # data on the layer (see overview_timeline)
        x=alt.X("actor_a:N", title=None, sort=order, axis=alt.Axis(labelAngle=-40, labelLimit=200)),
        y=alt.Y("actor_b:N", title=None, sort=order, axis=NAME_AXIS),
        tooltip=[
            alt.Tooltip("actor_a:N", title="Actor"),
            alt.Tooltip("actor_b:N", title="With"),
            alt.Tooltip("reports:Q", title="Reports"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color("reports:Q", title="Reports", scale=alt.Scale(scheme="blues")),
    )
    high = float(d["reports"].max())
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("reports:Q"),
        color=alt.ColorValue(**alt.condition(
            alt.datum.reports > high / 2, alt.value("white"), alt.value("#222222")
        )),
    )
    if name:
        cells = cells.add_params(alt.selection_point(name=name, fields=["actor_a", "actor_b"]))
    return alt.layer(cells, text, data=d[["actor_a", "actor_b", "reports"]], title=title)


# --- sentiment --------------------------------------------------------------------------


def _sentiment_color(field: str = "sentiment_label", title: str = "Sentiment") -> alt.Color:
    return alt.Color(
        f"{field}:N", title=title,
        scale=alt.Scale(
            domain=list(SENTIMENT_LABELS), range=[SENTIMENT_COLORS[k] for k in SENTIMENT_LABELS]
        ),
        sort=list(SENTIMENT_LABELS),
    )


def sentiment_histogram(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Comments per sentiment bucket, stacked and coloured by label.

    df: ``bucket`` (left edge of the bucket), ``sentiment_label``, ``comments``. The bucket
    width is the smallest gap between edges (0.1 if only one bucket).
    """
    title = "Comment sentiment"
    name = _selection_name("sentiment_histogram", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(
        bucket=pd.to_numeric(df["bucket"], errors="coerce"), comments=_numbers(df["comments"])
    ).dropna(subset=["bucket"])
    if d.empty:
        return _altair_empty(title, name)
    edges = sorted(d["bucket"].unique())
    gaps = [b - a for a, b in pairwise(edges) if b - a > 1e-9]
    width = min(gaps) if gaps else 0.1
    d["bucket_end"] = (d["bucket"] + width).round(6)
    d["label_order"] = d["sentiment_label"].map({k: i for i, k in enumerate(SENTIMENT_LABELS)})
    chart = (
        alt.Chart(d[["bucket", "bucket_end", "sentiment_label", "comments", "label_order"]])
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            # bin="binned": the buckets come pre-binned, so the bars stand on the axis and stack
            x=alt.X("bucket:Q", bin="binned", title="Sentiment score (−1 negative to +1 positive)",
                    scale=alt.Scale(domain=[-1, 1])),
            x2=alt.X2("bucket_end:Q"),
            y=alt.Y("comments:Q", title="Comments", stack="zero"),
            color=_sentiment_color(),
            order=alt.Order("label_order:Q"),
            tooltip=[
                alt.Tooltip("bucket:Q", title="From", format="+.2f"),
                alt.Tooltip("bucket_end:Q", title="To", format="+.2f"),
                alt.Tooltip("sentiment_label:N", title="Sentiment"),
                alt.Tooltip("comments:Q", title="Comments"),
            ],
        )
        .properties(title=title, height=CHART_HEIGHT)
    )
    if name:
        chart = chart.add_params(alt.selection_interval(name=name, encodings=["x"]))
    return chart


def sentiment_over_time(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Mean comment sentiment per period, with a rule at zero.

    df: ``period``, ``mean_sentiment``, ``comments`` (point size).
    """
    title = "Sentiment over time"
    name = _selection_name("sentiment_over_time", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(
        period=_datetimes(df["period"]),
        mean_sentiment=pd.to_numeric(df["mean_sentiment"], errors="coerce"),
        comments=_numbers(df["comments"]),
    ).dropna(subset=["period", "mean_sentiment"])
    if d.empty:
        return _altair_empty(title, name)
    line = (
        alt.Chart()  # data on the layer (see overview_timeline)
        .mark_line(color=REPORTS_COLOR, point=alt.OverlayMarkDef(color=REPORTS_COLOR), clip=True)
        .encode(
            x=_time_x("period:T", d["period"], d["comments"]),
            y=alt.Y("mean_sentiment:Q", title="Mean sentiment",
                    scale=alt.Scale(domain=[-1, 1])),
            tooltip=[
                alt.Tooltip("period:T", title="Period", format="%d %b %Y"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
                alt.Tooltip("comments:Q", title="Comments"),
            ],
        )
    )
    if name:
        line = line.add_params(alt.selection_interval(name=name, encodings=["x"]))
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888888").encode(
        y=alt.Y("y:Q"))
    return alt.layer(line, zero, data=d[["period", "mean_sentiment", "comments"]], title=title,
                     height=CHART_HEIGHT)


def sentiment_by_actor(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Diverging bars of mean comment sentiment per actor (red below zero, green above).

    df: ``actor``, ``mean_sentiment``, ``comments``.
    """
    title = "Sentiment by actor"
    name = _selection_name("sentiment_by_actor", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(
        mean_sentiment=pd.to_numeric(df["mean_sentiment"], errors="coerce"),
        comments=_numbers(df["comments"]),
    ).dropna(subset=["actor", "mean_sentiment"])
    if d.empty:
        return _altair_empty(title, name)
    d = d.sort_values(["mean_sentiment", "actor"])
    bars = (
        alt.Chart()  # data on the layer (see overview_timeline)
        .mark_bar()
        .encode(
            x=alt.X("mean_sentiment:Q", title="Mean sentiment of comments"),
            y=alt.Y("actor:N", title=None, sort=d["actor"].tolist(), axis=NAME_AXIS),
            color=alt.Color("mean_sentiment:Q", scale=SENTIMENT_SCALE, legend=None),
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
                alt.Tooltip("comments:Q", title="Comments"),
            ],
        )
    )
    if name:
        bars = bars.add_params(alt.selection_point(name=name, fields=["actor"]))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#555555").encode(
        x=alt.X("x:Q"))
    return alt.layer(bars, zero, data=d[["actor", "mean_sentiment", "comments"]], title=title)


def truncate(text: str, limit: int = TITLE_LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def sentiment_per_report(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Mean comment sentiment per report, newest first; labels are shortened titles.

    df: ``title``, ``published``, ``mean_sentiment``, ``comments`` (and ``report_id`` if the
    query has it: the selection then carries it).
    """
    title = "Sentiment per report"
    name = _selection_name("sentiment_per_report", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(
        mean_sentiment=pd.to_numeric(df["mean_sentiment"], errors="coerce"),
        comments=_numbers(df["comments"]),
        published=_iso_dates(df["published"]),
    ).dropna(subset=["mean_sentiment"])
    if d.empty:
        return _altair_empty(title, name)
    d["title"] = d["title"].fillna("(untitled)").astype(str)
    d = d.sort_values(["published", "title"], ascending=[False, True])
    d["label"] = _unique_labels([
        f"{day} · {truncate(t)}" if day else truncate(t)
        for day, t in zip(d["published"], d["title"], strict=True)
    ])
    columns = ["label", "title", "published", "mean_sentiment", "comments"]
    if "report_id" in d.columns:
        columns.append("report_id")
    chart = (
        alt.Chart(d[columns])
        .mark_bar()
        .encode(
            x=alt.X("mean_sentiment:Q", title="Mean sentiment of comments"),
            y=alt.Y(
                "label:N", title=None, sort=d["label"].tolist(), axis=alt.Axis(labelLimit=400)
            ),
            color=alt.Color("mean_sentiment:Q", scale=SENTIMENT_SCALE, legend=None),
            tooltip=[
                alt.Tooltip("title:N", title="Report"),
                alt.Tooltip("published:N", title="Published"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
                alt.Tooltip("comments:Q", title="Comments"),
            ],
        )
        .properties(title=title)
    )
    if name:
        fields = ["report_id"] if "report_id" in d.columns else ["title", "published"]
        chart = chart.add_params(alt.selection_point(name=name, fields=fields))
    return chart


def top_commenters(df: pd.DataFrame, select: bool = True) -> alt.Chart:
    """Bars of comments per author, coloured by the author's mean sentiment.

    df: ``author`` (empty = anonymous), ``comments``, ``mean_sentiment``.
    """
    title = "Most active commenters"
    name = _selection_name("top_commenters", select)
    if _is_empty(df):
        return _altair_empty(title, name)
    d = df.assign(
        author=df["author"].fillna("(anonymous)").astype(str),
        comments=_numbers(df["comments"]),
        mean_sentiment=pd.to_numeric(df["mean_sentiment"], errors="coerce"),
    ).sort_values(["comments", "author"], ascending=[False, True])
    chart = (
        alt.Chart(d[["author", "comments", "mean_sentiment"]])
        .mark_bar()
        .encode(
            x=alt.X("comments:Q", title="Comments"),
            y=alt.Y("author:N", title=None, sort=d["author"].tolist(), axis=NAME_AXIS),
            color=alt.Color("mean_sentiment:Q", title="Mean sentiment", scale=SENTIMENT_SCALE),
            tooltip=[
                alt.Tooltip("author:N", title="Author"),
                alt.Tooltip("comments:Q", title="Comments"),
                alt.Tooltip("mean_sentiment:Q", title="Mean sentiment", format="+.2f"),
            ],
        )
        .properties(title=title)
    )
    if name:
        chart = chart.add_params(alt.selection_point(name=name, fields=["author"]))
    return chart
