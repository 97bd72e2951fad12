"""Sitrep's entry script, the frame of every page: page set-up, the shared filters in the
sidebar (bound to the URL, so a copied link reopens the same view), and navigation.
Pages live in ``pages/`` and stay thin."""

import streamlit as st

from analytics.db import NoData
from analytics.ui import (
    ADD_PAGE,
    draw_share_link,
    pages,
    read_only,
    require_data,
    reserve_share_link,
    sidebar_filters,
)

# A Material icon, not an emoji: checking an emoji loads Streamlit's table of every emoji,
# ~0.2 s of the first page's cold start.
st.set_page_config(page_title="Sitrep", page_icon=":material/satellite_alt:", layout="wide")

navigation = st.navigation(
    [st.Page(path, title=title, icon=icon, url_path=url, default=url is None)
     for path, title, icon, url in pages()]
)
try:
    require_data()
    sidebar_filters()
    reserve_share_link()
    try:
        navigation.run()
    finally:
        draw_share_link()  # after the page: see ui.reserve_share_link
except NoData:
    st.info(
        "No reports have been loaded yet. Load some with "
        "`python -m analytics ingest PATH`"
        + ("" if read_only() else " or on the Add reports page")
        + ", then refresh this page."
    )
    if navigation.url_path == ADD_PAGE[3]:
        navigation.run()  # uploading is how a browser user loads the first reports
