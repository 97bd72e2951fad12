"""Overview: how much is in the database, and the latest reports."""

import streamlit as st

from analytics.ui import load, require_frame

require_frame()

st.title("Sitrep — overview")
totals = load("overview_totals").iloc[0]
left, middle, right = st.columns(3)
left.metric("Reports", f"{int(totals['reports']):,}")
middle.metric("Comments", f"{int(totals['comments']):,}")
mean = totals["mean_sentiment"]
right.metric("Mean comment sentiment", "—" if mean != mean else f"{mean:+.2f}")

st.subheader("Latest reports")
latest = load("latest_reports", limit=20)
if latest.empty:
    st.info("No reports yet. Add some with `python -m analytics ingest PATH`.")
else:
    st.dataframe(latest, hide_index=True, width="stretch")
