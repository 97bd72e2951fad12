"""Reports: find reports, and read one with its actors, places and dates highlighted, its
events, and its comments below (shown as plain text) — every chart leads back to text."""

import streamlit as st

from analytics.highlight import COLOURS, highlight
from analytics.ui import BIND, as_date, load, show_frame, start_page, stop_page

filters = start_page("Reports")

found = load("search_reports", filters, limit=500)
if found.empty:
    stop_page("No report matches these filters.")
show_frame(found.drop(columns=["report_id"]), height=240)

labels = {
    r.report_id: f"{as_date(r.published) or 'undated'} — {r.title}" for r in found.itertuples()
}
wanted = st.query_params.get("report")
if wanted and wanted not in labels:
    extra = load("report", report_id=wanted)
    if not extra.empty:
        labels = {wanted: f"{as_date(extra['published'].iloc[0]) or 'undated'} — "
                          f"{extra['title'].iloc[0]}", **labels}
if wanted in labels:
    # A link names its report by id, but the bound widget keeps its label in the URL (and
    # drops a value it does not know), so the id is handed to the widget here.
    st.session_state["report"] = wanted
chosen = st.selectbox("Read report", list(labels), format_func=labels.__getitem__,
                      key="report", bind=BIND)
report = load("report", report_id=chosen).iloc[0]

st.header(report["title"])
meta = [str(as_date(report["published"]) or "date unknown"), report["source"] or "source unknown"]
if report["primary_location"]:
    meta.append(f"main event: {report['primary_location']} ({report['primary_admin1'] or '?'})")
st.caption(" · ".join(meta))
if report["url"]:
    st.caption(report["url"])
legend = " ".join(f'<mark style="background:{c}">{k}</mark>' for k, c in COLOURS.items())
st.html(f"<small>Highlighted: {legend}</small>")
mentions = [tuple(m) for m in load("report_mentions", report_id=chosen).itertuples(index=False)]
anchor = as_date(report["published"])
for paragraph in load("report_paragraphs", report_id=chosen)["text"]:
    st.html(f"<p>{highlight(paragraph, mentions, anchor)}</p>")

events = load("report_events", report_id=chosen)
if not events.empty:
    st.subheader(f"Events ({len(events)})")
    show_frame(events)

comments = load("report_comments", report_id=chosen)
st.subheader(f"Comments ({len(comments)})")
for row in comments.itertuples():
    # a missing author comes back as NaN (truthy), not None
    author = row.author if isinstance(row.author, str) and row.author else "anonymous"
    with st.container(border=True):
        st.caption(f"{author} · sentiment {row.sentiment_score:+.2f} "
                   f"({row.sentiment_label})")
        st.text(row.text)
