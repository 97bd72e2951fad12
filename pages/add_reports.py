"""Add reports: upload files that go through the same ingestion as the command line, with a
result line per file; the new data shows on every page without a restart."""

import pandas as pd
import streamlit as st

from analytics.readers import SUPPORTED
from analytics.ui import MAX_UPLOAD_MB, db_path, show_frame, start_page, upload_folder
from analytics.uploads import Upload, ingest_uploads

start_page("Add reports")
st.markdown(
    "Upload reports as plain text (`.txt`, in the shape of a saved report page), saved web "
    "pages (`.html`), or collections with one report per row (`.csv`, `.tsv`, `.jsonl`, "
    f"`.parquet`). Up to {MAX_UPLOAD_MB} MB per file. A file you upload again is recognised: "
    "unchanged reports are not duplicated, changed ones are replaced."
)
with st.form("upload", clear_on_submit=True):
    files = st.file_uploader(
        "Report files", type=[s.lstrip(".") for s in SUPPORTED], accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_MB,
    )
    submitted = st.form_submit_button("Add to the database", type="primary")

if submitted and files:
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    with st.spinner(f"Reading {len(uploads)} file(s)…"):
        summary, outcomes = ingest_uploads(uploads, upload_folder(), db_path(),
                                           MAX_UPLOAD_MB * 1024 * 1024)
    rows = [
        {"file": o.path, "result": o.status, "added": o.added, "replaced": o.replaced,
         "unchanged": o.unchanged,
         "why": "; ".join(r.reason for r in o.rejections) or "; ".join(o.warnings)}
        for o in outcomes
    ]
    show_frame(pd.DataFrame(rows))
    if summary is not None:
        st.success(f"{summary.added} added, {summary.replaced} replaced, "
                   f"{summary.unchanged} unchanged, {len(summary.rejections)} rejected. "
                   "Every page now shows the new data.")
elif submitted:
    st.warning("Choose at least one file first.")
