"""Turn a file's bytes into text, or say plainly why it cannot be.

Reports arrive from many tools: UTF-8 with or without a BOM, UTF-16 from Windows exports,
cp1252 / latin-1 from old newsroom systems. UTF-8 is tried first (it is strict, so a wrong
guess fails loudly); BOMs decide next; anything else goes to ``charset-normalizer``, which
guesses legacy code pages far better than a hand-written table would.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from analytics.models import InputError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole file after checking it exists, is a file, is not empty and not too big."""
    if not path.exists():
        raise InputError("path does not exist")
    if not path.is_file():
        raise InputError("not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise InputError("file is empty")
    if size > max_bytes:
        raise InputError(
            f"file is {size / 1e6:.1f} MB, over the size limit of {max_bytes / 1e6:.1f} MB"
        )
    return path.read_bytes()


def decode(data: bytes) -> str:
    """Decode bytes to ``str`` (BOM removed), or raise ``InputError`` for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise InputError("binary file (contains NUL bytes), not text")
        return _checked(utf16)
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        return _checked(str(best))
    # charset-normalizer declines very short or odd inputs; cp1252 maps almost every byte.
    return _checked(data.decode("cp1252", errors="replace"))


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """``read_bytes`` then ``decode``; the one call readers use for text files."""
    text = decode(read_bytes(path, max_bytes))
    if not text.strip():
        raise InputError("file has no text (only whitespace)")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte of its ASCII characters."""
    even, odd = data[0::2], data[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) >= 0.4 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _checked(text: str) -> str:
    """Reject text that decoded but is mostly control characters (a binary file in disguise)."""
    sample = text[:20000]
    if sample:
        controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
        replaced = sample.count("\ufffd")
        if (controls + replaced) / len(sample) > 0.05:
            raise InputError("binary file (undecodable bytes), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")
