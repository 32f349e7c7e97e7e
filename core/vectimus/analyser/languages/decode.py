"""Decoding literals the way code would before running them: base64 and its relatives, hex,
rot13, and compressed bytes (bounded, so a decompression bomb stays small).

Each decoder takes bytes or str and returns bytes, or None when the input does not decode.
Standard library only: used on the hot path (the codecs modules are imported on first use).
"""

from __future__ import annotations

import codecs

from vectimus.analyser.context import MAX_COMMAND_BYTES

LIMIT = MAX_COMMAND_BYTES  # decoded output longer than this is not decoded


def _bytes(data) -> bytes | None:
    if isinstance(data, str):
        try:
            return data.encode("ascii")
        except UnicodeEncodeError:
            return None
    return bytes(data) if isinstance(data, (bytes, bytearray)) else None


def base64(data, altchars: bytes | None = None, urlsafe: bool = False) -> bytes | None:
    """Standard (or URL-safe) base64, padding optional as node and lenient decoders allow."""
    import binascii

    raw = _bytes(data)
    if raw is None:
        return None
    raw = b"".join(raw.split())
    if urlsafe:
        raw = raw.replace(b"-", b"+").replace(b"_", b"/")
    elif altchars:
        raw = raw.replace(altchars[:1], b"+").replace(altchars[1:2], b"/")
    raw = raw.rstrip(b"=")
    raw += b"=" * (-len(raw) % 4)
    try:
        return binascii.a2b_base64(raw)[:LIMIT]
    except (binascii.Error, ValueError):
        return None


def hexa(data) -> bytes | None:
    """Hexadecimal digits (whitespace allowed, as ``bytes.fromhex`` does)."""
    raw = _bytes(data)
    if raw is None:
        return None
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:
        return None


def base32(data) -> bytes | None:
    import base64 as b64

    raw = _bytes(data)
    try:
        return b64.b32decode(raw + b"=" * (-len(raw) % 8), casefold=True) if raw is not None else None
    except (ValueError, TypeError):
        return None


def base85(data, ascii85: bool = False) -> bytes | None:
    import base64 as b64

    raw = _bytes(data)
    try:
        return (b64.a85decode(raw) if ascii85 else b64.b85decode(raw)) if raw is not None else None
    except (ValueError, TypeError):
        return None


def inflate(data, wbits: int = 15) -> bytes | None:
    """zlib / gzip (``wbits`` 31) / raw deflate (-15) data, at most LIMIT bytes of it."""
    import zlib

    raw = _bytes(data) if isinstance(data, str) else data
    if not isinstance(raw, (bytes, bytearray)):
        return None
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(bytes(raw), LIMIT + 1)
    except zlib.error:
        return None
    return out if len(out) <= LIMIT else None


def bz2(data) -> bytes | None:
    import bz2 as module

    try:
        out = module.BZ2Decompressor().decompress(bytes(data), LIMIT + 1)
    except (OSError, ValueError, TypeError, EOFError):
        return None
    return out if len(out) <= LIMIT else None


def lzma(data) -> bytes | None:
    import lzma as module

    try:
        out = module.LZMADecompressor().decompress(bytes(data), LIMIT + 1)
    except (module.LZMAError, ValueError, TypeError, EOFError):
        return None
    return out if len(out) <= LIMIT else None


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


def by_codec(data, name: str):
    """``codecs.decode(data, name)`` for the codecs that hide text; None for others."""
    name = name.lower().replace("-", "_")
    if name in ("rot13", "rot_13"):
        return rot13(data) if isinstance(data, str) else None
    if name in ("base64", "base_64", "base64_codec"):
        return base64(data)
    if name in ("hex", "hex_codec"):
        return hexa(data)
    if name in ("zlib", "zip", "zlib_codec"):
        return inflate(data)
    if name in ("bz2", "bz2_codec"):
        return bz2(data)
    if name in ("utf8", "utf_8", "ascii", "latin1", "latin_1", "iso8859_1", "utf_16", "utf16",
                "utf_16_le", "utf_16_be", "utf_32"):
        if isinstance(data, (bytes, bytearray)):
            try:
                return bytes(data).decode(name)
            except (UnicodeDecodeError, LookupError):
                return None
        return data
    if name in ("unicode_escape", "raw_unicode_escape"):
        raw = data.encode("latin-1", "backslashreplace") if isinstance(data, str) else data
        try:
            return bytes(raw).decode(name)
        except (UnicodeDecodeError, ValueError):
            return None
    return None
