"""Uploads are saved inside their folder only, and go through the same ingestion."""

from __future__ import annotations

import pytest

from analytics.db import Reader
from analytics.uploads import Upload, UploadRejected, ingest_uploads, safe_name, save_uploads
from tests.conftest import SEED_FILE


@pytest.mark.parametrize(("name", "expected"), [
    ("report.txt", "report.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\evil.csv", "evil.csv"),
    ("/abs/path/x.html", "x.html"),
    ("we:ird*na<me>.jsonl", "we_ird_na_me_.jsonl"),
    (".hidden.txt", "hidden.txt"),
])
def test_safe_name_keeps_only_a_base_name(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["", "..", "/", "../"])
def test_unusable_names_are_refused(name):
    with pytest.raises(UploadRejected):
        safe_name(name)


def test_nothing_is_written_outside_the_upload_folder(tmp_path):
    folder = tmp_path / "uploads"
    saved, rejected = save_uploads(
        [Upload("../../escape.txt", b"x"), Upload("evil.exe", b"x"), Upload("ok.txt", b"y")],
        folder,
    )
    assert [p.name for p in saved] == ["escape.txt", "ok.txt"]
    assert all(folder.resolve() in p.resolve().parents for p in saved)
    assert not (tmp_path / "escape.txt").exists()
    assert "unsupported file type" in rejected["evil.exe"]


def test_uploads_are_ingested_with_a_result_per_file(tmp_path):
    db = tmp_path / "db" / "sitrep.duckdb"
    uploads = [Upload("seed.txt", SEED_FILE.read_bytes()), Upload("empty.txt", b""),
               Upload("notes.docx", b"x")]
    summary, outcomes = ingest_uploads(uploads, tmp_path / "uploads", db, 10**7)
    by_name = {o.path: o for o in outcomes}
    assert by_name["seed.txt"].status == "added"
    assert by_name["empty.txt"].status == "rejected"
    assert "empty" in by_name["empty.txt"].rejections[0].reason
    assert by_name["notes.docx"].status == "rejected"
    assert summary.added == 1
    assert Reader(db).scalar("SELECT count(*) FROM comments") == 27
    _, again = ingest_uploads(uploads[:1], tmp_path / "uploads", db, 10**7)
    assert again[0].status == "unchanged"
