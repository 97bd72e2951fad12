"""Readers: files in, ``Report`` objects out, chosen by file type.

A folder is read recursively; files of a type no reader handles are skipped there (and
counted), but named on the command line they are rejected. No reader error escapes this
module: every failure becomes a ``Rejection`` naming the file and the reason, so the rest
of a batch still loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analytics.models import InputError, ReadResult, Rejection
from analytics.readers.collections import SUFFIXES as COLLECTION_SUFFIXES
from analytics.readers.collections import read_collection
from analytics.readers.decoding import DEFAULT_MAX_BYTES
from analytics.readers.plaintext import read_plaintext

DOCUMENT_SUFFIXES = (".txt", ".text", ".html", ".htm")
SUPPORTED = DOCUMENT_SUFFIXES + COLLECTION_SUFFIXES


@dataclass(frozen=True)
class ReaderOptions:
    """What the command line can tell the readers."""

    max_bytes: int = DEFAULT_MAX_BYTES
    column_map: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Discovery:
    files: list[Path]
    rejections: list[Rejection]
    skipped: list[Path]


def discover(paths: Iterable[Path]) -> Discovery:
    """Expand folders (recursively, hidden entries left out) into the files to read."""
    found = Discovery(files=[], rejections=[], skipped=[])
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if not child.is_file() or any(part.startswith(".") for part in relative):
                    continue
                if child.suffix.lower() in SUPPORTED:
                    found.files.append(child)
                else:
                    found.skipped.append(child)
        elif not path.exists():
            found.rejections.append(Rejection(str(path), "path does not exist"))
        elif path.suffix.lower() not in SUPPORTED:
            found.rejections.append(
                Rejection(
                    str(path),
                    f"unsupported file type '{path.suffix or '(none)'}' "
                    f"(supported: {', '.join(SUPPORTED)})",
                )
            )
        else:
            found.files.append(path)
    return found


def is_collection(path: Path) -> bool:
    return path.suffix.lower() in COLLECTION_SUFFIXES


def read_file(path: Path, options: ReaderOptions) -> ReadResult:
    """Read one file with the reader for its type; never raises for bad input."""
    suffix = path.suffix.lower()
    try:
        if suffix in COLLECTION_SUFFIXES:
            return read_collection(path, options.max_bytes, options.column_map)
        if suffix in (".html", ".htm"):
            from analytics.readers.html import read_html  # trafilatura is slow to import

            return read_html(path, options.max_bytes)
        return read_plaintext(path, options.max_bytes)
    except InputError as error:
        return ReadResult(path=str(path), rejections=[Rejection(str(path), str(error))])
    except Exception as error:  # a reader bug must not abort the batch; say what happened
        reason = f"unexpected {type(error).__name__}: {error}"
        return ReadResult(path=str(path), rejections=[Rejection(str(path), reason)])
