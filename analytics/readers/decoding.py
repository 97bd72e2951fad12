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
            f"file is {_megabytes(size)}, over the size limit of {_megabytes(max_bytes)}"
        )
    return path.read_bytes()


def _megabytes(size: int) -> str:
    """A size in the unit of ``--max-file-mb`` (MiB), with enough digits to tell small sizes
    apart: a 10 kB file over a 0.005 MB limit must not read "0.0 MB, over ... 0.0 MB"."""
    mb = size / (1024 * 1024)
    return f"{mb:.1f} MB" if mb >= 10 else f"{mb:.3g} MB"


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
    guess = _guess(data)
    if guess is not None:
        return _checked(guess)
    # charset-normalizer declines very short or odd inputs; cp1252 maps almost every byte.
    return _checked(data.decode("cp1252", errors="replace"))


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """``read_bytes`` then ``decode``; the one call readers use for text files."""
    text = decode(read_bytes(path, max_bytes))
    if not text.strip():
        raise InputError("file has no text (only whitespace)")
    return text


def _guess(data: bytes) -> str | None:
    """charset-normalizer's decoding of ``data``, except that cp1252 wins a tie.

    On mostly-English text with a few curly quotes or accented letters many single-byte code
    pages decode about equally cleanly, and charset-normalizer breaks the tie on language
    coherence: it decodes a cp1252 report as mac_iceland or cp1250 (“ → ì, ñ → ń, à → ŕ).
    cp1252 (which shares latin-1's printable range) is what Western newsroom tools write,
    so a cp1252 decoding that is as clean as the best guess is taken instead.
    """
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.01:
            return str(match)
    return str(best)


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
