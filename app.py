"""Sitrep's entry script: page setup and navigation. Pages live in ``pages/``."""

import streamlit as st

from analytics.db import NoData

st.set_page_config(page_title="Sitrep", page_icon="🛰️", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
        st.Page("pages/reports.py", title="Reports", icon="📰", url_path="reports"),
    ]
)
try:
    navigation.run()
except NoData:
    st.info(
        "No reports have been loaded yet. Load some with "
        "`python -m analytics ingest PATH`, then refresh this page."
    )
