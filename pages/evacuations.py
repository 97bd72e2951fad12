"""Evacuations: people moved over time with the running total, buses, flows from origin to
destination, and the records with group, deal and who claimed them."""

import streamlit as st

from analytics import charts
from analytics.ui import (
    export_all_button,
    grain_picker,
    load,
    show_chart,
    show_table,
    start_page,
    stop_page,
)

filters = start_page("Evacuations")
grain = grain_picker()
over_time = load("evacuations_over_time", filters, grain=grain)
if over_time.empty:
    stop_page("No evacuations match these filters.")

total = int(over_time["people"].sum())
st.metric("People evacuated", f"{total:,}", help="Best estimate of each record, summed")
show_chart("People evacuated", charts.evacuations_over_time(over_time), over_time,
           "evacuations-people", filters)
buses = over_time[["period", "buses"]]
show_chart("Buses", charts.buses_over_time(buses, grain), buses, "evacuations-buses", filters)
flows = load("evacuation_flows", filters)
show_chart("From where to where", charts.evacuation_flows(flows), flows, "evacuation-flows",
           filters)
st.subheader("Evacuation records")
show_table("evacuations", load("evacuations_table", filters, limit=1000), "evacuations-table")
export_all_button(filters)
