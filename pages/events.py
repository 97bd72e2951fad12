"""Events: over time by ACLED type, on a map, and as a table of evidence sentences.
Selecting a span on the timeline or places on the map narrows the table."""

import streamlit as st

from analytics import charts
from analytics.selections import map_locations, timeline_span
from analytics.ui import (
    download_query,
    export_all_button,
    grain_picker,
    load,
    show_chart,
    show_table,
    start_page,
    stop_page,
)

filters = start_page("Events")
grain = grain_picker()
timeline = load("events_timeline", filters, grain=grain)
if timeline.empty:
    stop_page("No events match these filters.")

picked_span = show_chart("Events over time, by type", charts.events_timeline(timeline, grain),
                         timeline, "events-timeline", filters, select="rerun")
points = load("events_map", filters)
picked_places = show_chart("Where events happened", charts.events_map(points), points,
                           "events-map", filters, select="rerun")
st.caption(f"{len(points)} places with coordinates. Borders are drawn from Natural Earth data "
           "shipped with Sitrep: the map needs no internet access.")

span_start, span_end = timeline_span(picked_span, grain)
locations = map_locations(picked_places)
table = load("events_table", filters, span_start=span_start, span_end=span_end,
             pick_locations=locations, limit=1000)
narrowed = [f"{span_start} to {span_end}" if span_start else "", ", ".join(locations)]
st.subheader("Events" + (f" — selected: {'; '.join(n for n in narrowed if n)}"
                         if any(narrowed) else ""))
show_table("events", table.drop(columns=["group_id", "latitude", "longitude"]), "events-table",
           column_config={"evidence": st.column_config.TextColumn("evidence", width="large")})
download_query("Download events in ACLED columns (CSV)", "events_acled", filters,
               "sitrep-events-acled.csv")
export_all_button(filters)
