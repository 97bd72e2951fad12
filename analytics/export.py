"""Download files for the dashboard: stamped print-size PNGs of charts, ZIPs of them, safe CSV.

``png_bytes`` renders the figure a page shows, without touching it: ``stamped`` makes a copy
with a title, a "Filters: …" subtitle and a "Data: … · Source: Sitrep" footer, sized so the
PNG is ``width`` × ``height`` pixels (drawn at ``scale`` × the layout size, so text is as
large relative to the chart as on screen). Plotly figures go through kaleido and the
system's Chromium; Altair charts through vl-convert (no browser). Both work offline.

kaleido: one sync server (``kaleido.start_sync_server(n=1, mathjax=False)``) is started on
the first Plotly export and reused (~0.2 s per image afterwards). Its calls are serialised
with a lock: the sync server hands results back through one shared queue, so two threads
rendering at once could receive each other's image. If the server cannot render (no
browser, a dead server thread, a hang), it is stopped and each image gets a one-off browser
instead (what ``plotly.io.to_image`` does without a server); if that fails too,
``ExportError`` says why. A missing browser gives that error in about a second: without the
watch on the server thread, kaleido's sync server would wait forever.

kaleido and vl-convert are imported on the first export, not with this module: pages import
it to offer the buttons, and a server's first page should not wait for export libraries.
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
import re
import textwrap
import threading
import time
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    import altair as alt

    Chart = go.Figure | alt.TopLevelMixin

log = logging.getLogger(__name__)

SOURCE = "Sitrep"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
RENDER_TIMEOUT_S = 60.0
FOOTER_COLOR = "#555555"
SUBTITLE_COLOR = "#444444"


class ExportError(RuntimeError):
    """A chart could not be rendered to an image."""


# --- text -------------------------------------------------------------------------------


def slug(text: str, fallback: str = "chart", limit: int = 80) -> str:
    """A lowercase ASCII file-name stem: "Events over time (week)" → ``events-over-time-week``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return stem or fallback


def footer_text(data_range: str) -> str:
    return f"Data: {data_range} · Source: {SOURCE}"


def subtitle_lines(filters_text: str, width: int = 110) -> list[str]:
    return textwrap.wrap(f"Filters: {filters_text}", width=width) or ["Filters:"]


# --- stamping ---------------------------------------------------------------------------


def stamped(
    chart: Chart, title: str, filters_text: str, data_range: str,
    width: int = 1600, height: int = 900, scale: float = 2.0,
) -> Chart:
    """A copy of ``chart`` with the export title, filters subtitle, footer and export size.

    The caller's chart is never changed. Plotly: a ``go.Figure`` sized ``width/scale`` ×
    ``height/scale`` layout pixels. Altair: a one-panel ``vconcat`` whose title carries the
    title and filters and whose panel carries the footer as a bottom title.
    """
    if isinstance(chart, go.Figure):
        return _stamp_plotly(chart, title, filters_text, data_range, width, height, scale)
    import altair as alt

    if isinstance(chart, alt.TopLevelMixin):
        return _stamp_altair(chart, title, filters_text, data_range, width, height, scale)
    raise TypeError(f"cannot export a {type(chart).__name__}; expected a Plotly or Altair chart")


def _stamp_plotly(
    fig: go.Figure, title: str, filters_text: str, data_range: str,
    width: int, height: int, scale: float,
) -> go.Figure:
    out = go.Figure(fig)  # a deep copy
    layout_w, layout_h = round(width / scale), round(height / scale)
    lines = subtitle_lines(filters_text, width=max(40, layout_w // 7))
    legend_on_top = (
        out.layout.legend.orientation == "h" and (out.layout.legend.y or 0) >= 1
    )
    top = 58 + 17 * len(lines) + (26 if legend_on_top else 0)
    margin = out.layout.margin
    bottom = max(margin.b if margin.b is not None else 60, 40) + 34
    out.update_layout(
        width=layout_w,
        height=layout_h,
        title={
            "text": f"<b>{html.escape(title, quote=False)}</b>",
            "subtitle": {
                "text": "<br>".join(html.escape(line, quote=False) for line in lines),
                "font": {"size": 12, "color": SUBTITLE_COLOR},
            },
            "font": {"size": 20},
            "x": 0.02, "xref": "container", "xanchor": "left",
            "y": 0.97, "yref": "container", "yanchor": "top",
        },
        margin={"t": top, "b": bottom},
        paper_bgcolor="white",
    )
    out.add_annotation(
        text=html.escape(footer_text(data_range), quote=False),
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
        yshift=-(bottom - 8), showarrow=False, align="left",
        font={"size": 11, "color": FOOTER_COLOR},
    )
    return out


def _stamp_altair(
    chart: alt.TopLevelMixin, title: str, filters_text: str, data_range: str,
    width: int, height: int, scale: float,
) -> alt.TopLevelMixin:
    import altair as alt

    inner = chart.copy(deep=True)
    config = inner.config
    inner.config = alt.Undefined  # configs live on the top level only
    inner.title = alt.TitleParams(
        footer_text(data_range), orient="bottom", anchor="start", fontSize=11,
        fontWeight="normal", color=FOOTER_COLOR, offset=14,
    )
    if isinstance(inner, (alt.Chart, alt.LayerChart)):
        # A first guess for the plot area; _render_altair trims it to the exact size.
        inner.width = max(100, round(width / scale) - 200)
        inner.height = max(80, round(height / scale) - 160)
    lines = subtitle_lines(filters_text, width=max(40, round(width / scale) // 7))
    return alt.vconcat(
        inner,
        title=alt.TitleParams(
            title, subtitle=lines, anchor="start", fontSize=20, subtitleFontSize=12,
            subtitleColor=SUBTITLE_COLOR, offset=12,
        ),
        config=config,
        background="white",
        padding=16,
    )


# --- rendering --------------------------------------------------------------------------


def png_bytes(
    chart: Chart, title: str, filters_text: str, data_range: str,
    width: int = 1600, height: int = 900, scale: float = 2.0,
) -> bytes:
    """The chart as a stamped PNG of about ``width`` × ``height`` pixels.

    Plotly figures come out exactly that size; Altair charts within a few pixels of it
    (their plot area is fitted to it).
    """
    out = stamped(chart, title, filters_text, data_range, width, height, scale)
    if isinstance(out, go.Figure):
        return _render_plotly(out, scale)
    return _render_altair(out, width, height, scale)


def export_all_png(
    charts: Mapping[str, Chart], filters_text: str, data_range: str,
    width: int = 1600, height: int = 900,
) -> bytes:
    """A ZIP with one stamped PNG per chart; each key is the chart's title and file name."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for title, chart in charts.items():
            stem, n = slug(title), 1
            while f"{stem}.png" in used:
                n += 1
                stem = f"{slug(title)}-{n}"
            used.add(f"{stem}.png")
            archive.writestr(
                f"{stem}.png", png_bytes(chart, title, filters_text, data_range, width, height)
            )
    return buffer.getvalue()


# Plotly via kaleido ---------------------------------------------------------------------

_KALEIDO_LOCK = threading.Lock()
_kaleido = {"started": False, "broken": False}


def _no_mathjax() -> None:
    """Never fetch MathJax from its CDN (the dashboard runs offline). Setting
    ``plotly.io.defaults`` imports kaleido, so it is done on the first export."""
    import plotly.io as pio

    pio.defaults.mathjax = False


def _render_plotly(fig: go.Figure, scale: float) -> bytes:
    _no_mathjax()
    options = {"format": "png", "width": fig.layout.width, "height": fig.layout.height,
               "scale": scale}
    with _KALEIDO_LOCK:
        if not _kaleido["broken"]:
            try:
                return _with_server(lambda: _server_render(fig, options))
            except _ServerFailed as error:
                log.warning("kaleido server failed (%s); using one-off browsers", error)
                _stop_server(wait=False)
                _kaleido["broken"] = True  # do not keep starting a server that fails
            except Exception as error:  # the figure or the server: a one-off browser tells
                log.warning("kaleido server render failed (%s); retrying once", error)
                png = _oneshot(fig, options)  # raises ExportError if the figure is at fault
                _stop_server(wait=True)  # the server was at fault: start a fresh one next time
                return png
        return _oneshot(fig, options)


class _ServerFailed(Exception):
    pass


def _with_server(render: Callable[[], bytes]) -> bytes:
    import kaleido
    from kaleido import _sync_server

    if not _kaleido["started"]:
        kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
        _kaleido["started"] = True
    server = _sync_server.GlobalKaleidoServer()
    result = _in_thread(render, RENDER_TIMEOUT_S, watch=lambda: getattr(server, "_thread", None))
    if result is None:
        raise _ServerFailed(f"its thread stopped, or no image within {RENDER_TIMEOUT_S:.0f} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


def _in_thread(
    call: Callable[[], Any], timeout: float, watch: Callable[[], Any] = lambda: None,
) -> dict[str, Any] | None:
    """Run ``call`` in a daemon thread: {"value": …} or {"error": …}, or None on a timeout
    or when the thread returned by ``watch`` dies first.

    The sync server waits forever when its browser thread has died (e.g. no browser found
    at start-up), so its calls are watched instead of awaited.
    """
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = call()
        except BaseException as error:  # handed to the caller
            result["error"] = error

    worker = threading.Thread(target=work, name="sitrep-png-render", daemon=True)
    worker.start()
    deadline = time.monotonic() + timeout
    while worker.is_alive():
        worker.join(0.05)
        watched = watch()
        if worker.is_alive() and (
            time.monotonic() > deadline or (watched is not None and not watched.is_alive())
        ):
            return None
    return result


def _server_render(fig: go.Figure, options: dict[str, Any]) -> bytes:
    import kaleido

    # kaleido directly: pio.to_image passes kopts, which the server ignores with a
    # UserWarning on every call.
    return kaleido.calc_fig_sync(fig.to_dict(), opts=options)


def _stop_server(wait: bool = True) -> None:
    """Stop the sync server; a hung one is stopped in the background (close() would block)."""
    import kaleido
    from kaleido import _sync_server

    server = _sync_server.GlobalKaleidoServer()
    if server.is_running():
        thread = getattr(server, "_thread", None)
        try:
            if wait or thread is None or not thread.is_alive():
                kaleido.stop_sync_server(silence_warnings=True)
            else:
                threading.Thread(
                    target=kaleido.stop_sync_server, kwargs={"silence_warnings": True},
                    name="sitrep-kaleido-stop", daemon=True,
                ).start()
        except Exception as error:  # stopping is best effort
            log.warning("could not stop the kaleido server: %s", error)
    _kaleido["started"] = False


def _oneshot(fig: go.Figure, options: dict[str, Any]) -> bytes:
    """One image from a browser started for it alone (~2 s), bypassing the sync server.

    This is what ``pio.to_image`` does when no server runs, but called directly because
    ``pio.to_image`` would hand the job to a stuck server if one is still registered, and
    does not pass ``mathjax=False`` on (it would ask the MathJax CDN).
    """
    import kaleido

    fig_dict = fig.to_dict()
    result = _in_thread(
        lambda: asyncio.run(kaleido.calc_fig(fig_dict, opts=options, kopts={"mathjax": False})),
        RENDER_TIMEOUT_S,
    )
    if result is None:
        raise ExportError(f"could not render the chart to PNG in {RENDER_TIMEOUT_S:.0f} s")
    error = result.get("error")
    if error is not None:
        raise ExportError(f"could not render the chart to PNG: {error}") from error
    return result["value"]


# Altair via vl-convert ------------------------------------------------------------------


def _vl_version() -> str | None:
    import altair as alt
    import vl_convert

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vl_convert.get_vegalite_versions() else None


def _svg_size(svg: str) -> tuple[float, float]:
    head = svg[: svg.find(">")]
    w = re.search(r'\bwidth="([\d.]+)', head)
    h = re.search(r'\bheight="([\d.]+)', head)
    if not (w and h):
        raise ExportError("vl-convert returned an SVG without a size")
    return float(w.group(1)), float(h.group(1))


def _render_altair(chart: alt.VConcatChart, width: int, height: int, scale: float) -> bytes:
    import altair as alt
    import vl_convert

    version = _vl_version()
    try:
        inner = chart.vconcat[0]
        if isinstance(inner, (alt.Chart, alt.LayerChart)):
            # Measure once (SVG, ~0.05 s) and fit the plot area so the whole image is the
            # requested size: axes, legends and titles take what they need.
            svg = vl_convert.vegalite_to_svg(chart.to_dict(validate=False), version)
            got_w, got_h = _svg_size(svg)
            chart = chart.copy(deep=False)
            chart.vconcat = [inner.properties(
                width=max(100, round(inner.width + width / scale - got_w)),
                height=max(80, round(inner.height + height / scale - got_h)),
            )]
        return vl_convert.vegalite_to_png(chart.to_dict(validate=False), version, scale=scale)
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(f"could not render the chart to PNG: {error}") from error


# --- CSV --------------------------------------------------------------------------------


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (so Excel detects the encoding), safe to open in a spreadsheet.

    Any *text* cell (or column name) starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return gets a leading ``'`` so that spreadsheets show it as text instead of
    running it as a formula (OWASP "CSV injection"). Numeric, date and boolean columns are
    written unchanged, so ``-0.5`` stays a number.
    """
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if (
            pd.api.types.is_numeric_dtype(series)
            or pd.api.types.is_bool_dtype(series)
            or pd.api.types.is_datetime64_any_dtype(series)
            or isinstance(series.dtype, pd.PeriodDtype)
        ):
            continue
        out[column] = series.astype(object).map(_neutralise)
    out.columns = [_neutralise(c) for c in out.columns]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
