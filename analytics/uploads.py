"""Files uploaded in the dashboard: saved under one folder, then ingested like any other.

An uploaded file's name comes from the browser, so it is reduced to a safe base name and the
resolved target is checked to be inside the upload folder: nothing is ever written elsewhere.
Each upload batch gets its own sub-folder, so two analysts uploading ``report.txt`` do not
overwrite each other.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from analytics.ingest import FileOutcome, IngestSummary, ingest
from analytics.models import Rejection
from analytics.readers import SUPPORTED, ReaderOptions

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class UploadRejected(ValueError):
    """The upload cannot be accepted (type, name); the message says why."""


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def safe_name(name: str) -> str:
    """The base name of ``name`` with anything but letters, digits, ``._ -`` replaced."""
    base = re.split(r"[\\/]", name)[-1].strip().lstrip(".")
    cleaned = _UNSAFE.sub("_", base)[:120]
    if not cleaned or cleaned in {".", ".."}:
        raise UploadRejected(f"{name!r}: not a usable file name")
    return cleaned


def save_uploads(uploads: list[Upload], folder: Path) -> tuple[list[Path], dict[str, str]]:
    """Write the uploads into a new sub-folder of ``folder``; returns paths and rejections."""
    batch = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    batch.mkdir(parents=True, exist_ok=True)
    root = batch.resolve()
    saved, rejected = [], {}
    for upload in uploads:
        try:
            name = safe_name(upload.name)
            if Path(name).suffix.lower() not in SUPPORTED:
                raise UploadRejected(
                    f"unsupported file type (supported: {', '.join(SUPPORTED)})"
                )
            target = (batch / name).resolve()
            if target.parent != root:
                raise UploadRejected("file name points outside the upload folder")
            if target.exists():
                target = target.with_name(f"{target.stem}-{uuid.uuid4().hex[:4]}{target.suffix}")
            target.write_bytes(upload.data)
            saved.append(target)
        except UploadRejected as error:
            rejected[upload.name] = str(error)
    return saved, rejected


def ingest_uploads(
    uploads: list[Upload], folder: Path, db: Path, max_bytes: int
) -> tuple[IngestSummary | None, list[FileOutcome]]:
    """Save and ingest; one outcome per uploaded file, in upload order."""
    paths, rejected = save_uploads(uploads, folder)
    summary = None
    if paths:
        summary = ingest(paths, db, ReaderOptions(max_bytes=max_bytes), workers=1,
                         lock_timeout=60)
    outcomes = []
    by_path = summary.files if summary else {}
    for path in paths:
        outcome = by_path.get(str(path), FileOutcome(str(path)))
        outcomes.append(FileOutcome(path.name, outcome.added, outcome.replaced,
                                    outcome.unchanged, outcome.rejections, outcome.warnings))
    for name, reason in rejected.items():
        outcome = FileOutcome(name)
        outcome.rejections.append(Rejection(name, reason))
        outcomes.append(outcome)
    return summary, outcomes
