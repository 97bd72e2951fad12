"""Overview: headline figures against the previous period, a compact timeline, the latest
reports."""

import streamlit as st

from analytics.ui import (
    as_date,
    export_all_button,
    grain_picker,
    load,
    show_chart,
    show_table,
    start_page,
)

filters = start_page("Overview")
span = load("date_span").iloc[0]
now = load("overview_totals", filters).iloc[0]
before_filters = filters.previous_period(as_date(span["first"]), as_date(span["last"]))
before = load("overview_totals", before_filters).iloc[0] if before_filters else None


def delta(column: str, digits: int = 0) -> str | None:
    if before is None or now[column] != now[column] or before[column] != before[column]:
        return None
    return f"{now[column] - before[column]:+,.{digits}f}"


cards = st.columns(5)
cards[0].metric("Reports", f"{int(now['reports']):,}", delta("reports"))
cards[1].metric("Events", f"{int(now['events']):,}", delta("events"),
                help="Distinct events: repeated mentions of one event count once")
cards[2].metric("People evacuated", f"{int(now['people_evacuated']):,}",
                delta("people_evacuated"))
cards[3].metric("Comments", f"{int(now['comments']):,}", delta("comments"))
mean = now["mean_sentiment"]
cards[4].metric("Mean comment sentiment", "—" if mean != mean else f"{mean:+.2f}",
                delta("mean_sentiment", 2), delta_color="normal")
if before_filters:
    st.caption(f"Changes against {before_filters.start} to {before_filters.end}.")

# Imported once the metrics are drawn: the chart module loads Altair (~0.5 s on a cold
# server), and the metrics are what a visitor of the first page waits for.
from analytics import charts  # noqa: E402

grain = grain_picker()
timeline = load("overview_timeline", filters, grain=grain)
show_chart("Reports and events over time", charts.overview_timeline(timeline), timeline,
           "overview-timeline", filters)

st.subheader("Latest reports")
latest = load("latest_reports", filters, limit=15)
if latest.empty:
    st.info("No reports match these filters.")
else:
    show_table("latest reports", latest.drop(columns=["report_id"]), "latest-reports")
export_all_button(filters)
