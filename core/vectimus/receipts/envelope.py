"""The receipt wire format: DSSE envelopes over RFC 8785 canonical JSON, one per JSONL line.

An envelope is ``{"payload": b64, "payloadType": T, "signatures": [{"keyid": K, "sig": b64}]}``;
the signature covers DSSE's pre-authentication encoding ``PAE(T, payload)``, so the payload type
is signed too. Hashes are lowercase hex SHA-256 of the exact payload bytes.
"""

from __future__ import annotations

import binascii  # base64 as base64.b64encode/b64decode(validate=True) do it, without the module
import json
import time

from vectimus.records import Record
from vectimus.sha256 import sha256

RECEIPT_TYPE = "application/vnd.vectimus.receipt+json"
CHECKPOINT_TYPE = "application/vnd.vectimus.checkpoint+json"
PRUNE_TYPE = "application/vnd.vectimus.prune+json"
RECEIPT_FORMAT = "vectimus.receipt/1"
CHECKPOINT_FORMAT = "vectimus.checkpoint/1"
PRUNE_FORMAT = "vectimus.prune/1"
ZERO_HASH = "0" * 64  # ``prev`` of a log's first receipt


class EnvelopeError(ValueError):
    """A line is not a well-formed envelope."""


class Envelope(Record):
    """One decoded envelope: the exact payload bytes and its (keyid, signature) pairs."""

    payload_type: str
    payload: bytes
    signatures: tuple[tuple[str, bytes], ...]


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    return sha256(data).hexdigest()


def timestamp(when: float | None = None) -> str:
    """A Unix time (default: now) as UTC RFC 3339 with microseconds, e.g. ``2026-01-31T09:15:02.123456Z``:
    the receipts' time format, in which times compare as strings."""
    now = time.time() if when is None else when
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1e6):06d}Z"


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what is actually signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


MAX_SAFE_INTEGER = 2**53 - 1  # JCS numbers are IEEE 754 doubles
_ASTRAL = "\U00010000"


def _plain(value) -> bool:
    """Whether ``json.dumps`` writes ``value`` exactly as JCS does: no floats (JCS formats them as
    ECMAScript does), integers a double holds, and keys without characters beyond U+FFFF (JCS
    sorts keys by UTF-16 code units, ``json`` by code points: the orders differ only there)."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if isinstance(value, dict):
        return all(isinstance(k, str) and (not k or max(k) < _ASTRAL) and _plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return False


def canonical(value) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value.

    The standard library's encoder writes the same bytes for what ``_plain`` admits (it escapes
    exactly the characters JCS escapes, in the same spellings) at a fraction of the cost; anything
    else goes through the ``rfc8785`` implementation.
    """
    if _plain(value):
        try:
            return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what JCS makes of it
            pass
    import rfc8785

    return rfc8785.dumps(value)


def encode(payload_type: str, payload: bytes, keyid: str, sig: bytes) -> bytes:
    """One JSONL line (with its newline) holding a single-signature envelope."""
    return json.dumps({
        "payload": binascii.b2a_base64(payload, newline=False).decode("ascii"),
        "payloadType": payload_type,
        "signatures": [{"keyid": keyid, "sig": binascii.b2a_base64(sig, newline=False).decode("ascii")}],
    }, separators=(",", ":")).encode("ascii") + b"\n"


def _b64(text, what: str) -> bytes:
    if not isinstance(text, str):
        raise EnvelopeError(f"{what} is not a string")
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"{what} is not valid base64") from None
    if binascii.b2a_base64(data, newline=False).decode("ascii") != text:  # unused low bits set: another spelling
        raise EnvelopeError(f"{what} is not canonical base64")
    return data


def decode(line: bytes | str) -> Envelope:
    """Parse one envelope; raise EnvelopeError when its shape is wrong."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        raise EnvelopeError("not JSON") from None
    if not isinstance(data, dict):
        raise EnvelopeError("not a JSON object")
    payload_type = data.get("payloadType")
    if not isinstance(payload_type, str):
        raise EnvelopeError("payloadType missing")
    sigs = data.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise EnvelopeError("no signatures")
    pairs = []
    for sig in sigs:
        if not isinstance(sig, dict) or not isinstance(sig.get("keyid"), str):
            raise EnvelopeError("signature without a keyid")
        pairs.append((sig["keyid"], _b64(sig.get("sig"), "sig")))
    return Envelope(payload_type, _b64(data.get("payload"), "payload"), tuple(pairs))


def payload_of(line: bytes) -> bytes:
    """Just the payload bytes of an envelope line (no checks beyond decoding)."""
    return decode(line).payload
