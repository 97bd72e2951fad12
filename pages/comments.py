"""Comments: how readers react — sentiment distribution, over time, per report, per actor,
the most active commenters, and the most negative and positive comments (as plain text)."""

import streamlit as st

from analytics import charts
from analytics.ui import export_all_button, grain_picker, load, show_chart, start_page, stop_page

filters = start_page("Comments")
histogram = load("sentiment_histogram", filters)
if histogram.empty:
    stop_page("No comments match these filters.")

show_chart("Distribution of comment sentiment", charts.sentiment_histogram(histogram),
           histogram, "comments-histogram", filters)
grain = grain_picker()
over_time = load("sentiment_over_time", filters, grain=grain)
show_chart("Sentiment over time", charts.sentiment_over_time(over_time), over_time,
           "comments-over-time", filters)
left, right = st.columns(2)
with left:
    per_report = load("sentiment_per_report", filters, limit=15)
    show_chart("Sentiment per report (most commented)", charts.sentiment_per_report(per_report),
               per_report, "comments-per-report", filters)
with right:
    by_actor = load("sentiment_by_actor", filters, limit=15, min_comments=1)
    show_chart("Sentiment of comments that mention an actor",
               charts.sentiment_by_actor(by_actor), by_actor, "comments-by-actor", filters)
commenters = load("top_commenters", filters, limit=15)
show_chart("Most active commenters", charts.top_commenters(commenters), commenters,
           "comments-commenters", filters)

extremes = load("extreme_comments", filters, limit=5)
for side in ("most negative", "most positive"):
    st.subheader(f"The {side} comments")
    for row in extremes[extremes["side"] == side].itertuples():
        # a missing author comes back as NaN (truthy), not None
        author = row.author if isinstance(row.author, str) and row.author else "anonymous"
        with st.container(border=True):
            st.caption(f"{row.sentiment_score:+.2f} · {author} · "
                       f"on “{row.title}”")
            st.text(row.text)
export_all_button(filters)
