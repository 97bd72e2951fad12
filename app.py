"""Sitrep's entry script: page setup and navigation. Pages live in ``pages/``."""

import streamlit as st

st.set_page_config(page_title="Sitrep", page_icon="🛰️", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
        st.Page("pages/reports.py", title="Reports", icon="📰", url_path="reports"),
    ]
)
navigation.run()
