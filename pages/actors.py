"""Actors: who is mentioned, when, with whom, and a profile of one actor."""

import streamlit as st

from analytics import charts
from analytics.extraction.actors import actors_by_name
from analytics.ui import (
    BIND,
    as_date,
    export_all_button,
    grain_picker,
    load,
    show_chart,
    show_frame,
    start_page,
    stop_page,
)

filters = start_page("Actors")
top = load("top_actors", filters, limit=20)
if top.empty:
    stop_page("No actor mentions match these filters.")

show_chart("Most mentioned actors", charts.top_actors(top), top, "actors-top", filters)
grain = grain_picker()
chosen = list(filters.actors) or top["actor"].head(5).tolist()
over_time = load("actor_mentions_over_time", filters, grain=grain, chosen=chosen)
show_chart("Mentions over time", charts.actor_mentions_over_time(over_time), over_time,
           "actors-over-time", filters)
st.caption("Compares the actors chosen in the sidebar, or else the five most mentioned.")
matrix = load("comention_matrix", filters, limit=12)
show_chart("Which actors appear together (reports)", charts.comention_matrix(matrix), matrix,
           "actors-comention", filters)

st.header("Actor profile")
names = top["actor"].tolist()
actor = st.selectbox("Actor", names, key="profile", bind=BIND)
entry = actors_by_name().get(actor)
profile = load("actor_profile", filters, actor=actor).iloc[0]
left, right = st.columns(2)
with left:
    if entry:
        st.markdown(f"**Type:** {entry.type}  \n**Alignment:** {entry.alignment or '—'}"
                    + (f"  \n**Part of:** {entry.parent}" if entry.parent else ""))
        st.caption("Also written: " + ", ".join(entry.aliases[:25]))
    st.markdown(f"**Mentions:** {int(profile['mentions']):,} in {int(profile['reports']):,} "
                f"reports  \n**First seen:** {as_date(profile['first_seen'])}  \n"
                f"**Last seen:** {as_date(profile['last_seen'])}")
    surfaces = profile["surfaces"]
    st.caption("As written in the reports: "
               + ", ".join(map(str, [] if surfaces is None else list(surfaces))))
with right:
    sentiment = load("actor_comment_sentiment", filters, actor=actor).iloc[0]
    comments = int(sentiment["comments"])
    mean = sentiment["mean_sentiment"]
    st.metric("Comments that mention it", f"{comments:,}")
    st.metric("Their mean sentiment", "—" if mean != mean else f"{mean:+.2f}")
    st.caption(f"{int(sentiment['negative'] or 0)} negative, "
               f"{int(sentiment['positive'] or 0)} positive")
st.subheader("Places of its events")
show_frame(load("actor_places", filters, actor=actor))
st.subheader("Events as actor 1 / actor 2")
show_frame(load("actor_events", filters, actor=actor))
export_all_button(filters)
