"""Reports: find a report and read it with its comments (shown as plain, escaped text)."""

import streamlit as st

from analytics.filters import Filters
from analytics.ui import load, require_frame

require_frame()

st.title("Reports")
text = st.text_input("Search titles", key="q")
found = load("search_reports", Filters(text=text.strip()), limit=200)
if found.empty:
    st.info("No report matches this search.")
    st.stop()

labels = {
    row.report_id: f"{row.published or 'undated'} — {row.title}" for row in found.itertuples()
}
chosen = st.selectbox("Report", list(labels), format_func=labels.__getitem__, key="report")
report = load("report", report_id=chosen).iloc[0]
st.header(report["title"])
st.caption(f"{report['published'] or 'date unknown'} · {report['source'] or 'source unknown'}")
for paragraph in load("report_paragraphs", report_id=chosen)["text"]:
    st.text(paragraph)

comments = load("report_comments", report_id=chosen)
st.subheader(f"Comments ({len(comments)})")
for row in comments.itertuples():
    with st.container(border=True):
        st.caption(f"{row.author or 'anonymous'} · sentiment {row.sentiment_score:+.2f} "
                   f"({row.sentiment_label})")
        st.text(row.text)
