#!/usr/bin/env python3
"""An independent verifier for Vectimus receipt logs: the standard library plus `cryptography`.

It shares no code with Vectimus and follows docs/receipts.md alone, so an auditor can read it in
one sitting and check a log on a machine that never had Vectimus installed:

    python verify_receipts.py path/to/.vectimus/receipts [--keys path/to/.vectimus/keys] [--sealed]

Signatures are verified over the exact stored payload bytes (DSSE PAE); separately, the payload
is parsed and re-serialised with the RFC 8785 canonicalisation implemented below for the JSON
subset receipts use (objects, arrays, strings, integers, booleans, null) and must come out
byte-identical. Exit status 0 means the whole log verified; 1 means a problem was found (the
first one is printed with its file, line and kind); 2 means bad arguments.
"""

import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

RECEIPT = ("application/vnd.vectimus.receipt+json", "vectimus.receipt/1")
CHECKPOINT = ("application/vnd.vectimus.checkpoint+json", "vectimus.checkpoint/1")

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def jcs(value) -> str:
    """RFC 8785 serialisation of the receipt JSON subset."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise ValueError("integer outside the IEEE 754 exact range")
        return str(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in _ESCAPES:
                out.append(_ESCAPES[ch])
            elif ord(ch) < 0x20:
                out.append(f"\\u{ord(ch):04x}")
            elif 0xD800 <= ord(ch) <= 0xDFFF:
                raise ValueError("lone surrogate")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))  # UTF-16 code unit order
        return "{" + ",".join(jcs(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise ValueError(f"{type(value).__name__} is outside the receipt JSON subset")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def merkle_root(leaves: list, size: int, perfect: dict) -> str:
    """RFC 6962 Merkle tree hash of leaves[:size], by the recursive definition.

    ``perfect`` caches the hashes of complete subtrees (power-of-two sizes), which every larger
    tree shares, so checking many checkpoints costs O(n + checkpoints * log n).
    """
    def mth(lo: int, hi: int) -> bytes:
        if (lo, hi) in perfect:
            return perfect[lo, hi]
        if hi - lo == 1:
            digest = sha256(b"\x00" + leaves[lo])
        else:
            k = 1
            while k * 2 < hi - lo:
                k *= 2
            digest = sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi))
        if (hi - lo) & (hi - lo - 1) == 0:
            perfect[lo, hi] = digest
        return digest
    return mth(0, size).hex() if size else sha256(b"").hex()


def load_keys(directory: Path) -> dict:
    keys = {}
    for path in sorted(directory.glob("*.pub")):
        key = load_pem_public_key(path.read_bytes())
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        keys[hashlib.sha256(raw).hexdigest()] = key
    return keys


def b64(text: str) -> bytes:
    """Standard base64 with padding, in its one canonical spelling."""
    data = base64.b64decode(text, validate=True)
    if base64.b64encode(data).decode() != text:
        raise ValueError("non-canonical base64")
    return data


class Problem(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def open_envelope(line: bytes, kind: tuple, keys: dict) -> tuple:
    """Check one envelope line; return (payload bytes, payload object) or raise Problem."""
    try:
        env = json.loads(line)
        payload = b64(env["payload"])
        ptype = env["payloadType"]
        sigs = [(s["keyid"], b64(s["sig"])) for s in env["signatures"]]
    except Exception as exc:
        raise Problem("malformed", f"not an envelope ({exc})") from None
    if json.dumps(env, separators=(",", ":")).encode() != line:  # the line is the envelope's bytes, no more
        raise Problem("malformed", "the line is not the envelope's compact form")
    if ptype != kind[0]:
        raise Problem("payload_type", f"payloadType {ptype!r}")
    t = ptype.encode()
    pae = b"DSSEv1 " + str(len(t)).encode() + b" " + t + b" " + str(len(payload)).encode() + b" " + payload
    known = [(k, s) for k, s in sigs if k in keys]
    if not known:
        raise Problem("unknown_key", "signed by a key not in the keys directory")
    for keyid, sig in known:
        try:
            keys[keyid].verify(sig, pae)
            break
        except InvalidSignature:
            pass
    else:
        raise Problem("signature", "the signature does not verify")
    try:
        obj = json.loads(payload.decode("utf-8"))
        if jcs(obj).encode("utf-8") != payload:
            raise ValueError("bytes differ from the canonical form")
    except ValueError as exc:
        raise Problem("canonical", f"payload is not RFC 8785 canonical JSON ({exc})") from None
    if not isinstance(obj, dict) or obj.get("format") != kind[1]:
        raise Problem("schema", f"format is not {kind[1]}")
    return payload, obj


def lines(path: Path):
    for number, line in enumerate(path.read_bytes().split(b"\n"), 1):
        if line.strip():
            yield number, line


def verify(receipts: Path, keys: dict, sealed: bool) -> dict:
    """Verify a receipts directory; return a summary, raising (position, Problem) at the first failure."""
    checkpoints = []
    cp_file = receipts / "checkpoints.jsonl"
    if cp_file.exists():
        for number, line in lines(cp_file):
            try:
                checkpoints.append((open_envelope(line, CHECKPOINT, keys)[1], f"{cp_file.name}:{number}"))
            except Problem as problem:
                raise Problem(problem.kind, f"{cp_file.name}:{number}: checkpoint: {problem}") from None
    payloads, log_id, prev = [], None, "0" * 64
    decisions, sessions = {}, set()
    for segment in sorted(receipts.glob("segment-*.jsonl")):
        for number, line in lines(segment):
            where = f"{segment.name}:{number} (position {len(payloads)})"
            try:
                payload, obj = open_envelope(line, RECEIPT, keys)
                log_id = log_id or obj.get("log")
                if obj.get("log") != log_id:
                    raise Problem("log_id", f"receipt of log {obj.get('log')}, not {log_id}")
                if obj.get("seq") != len(payloads):
                    raise Problem("sequence", f"seq {obj.get('seq')}, expected {len(payloads)}")
                if obj.get("prev") != prev:
                    raise Problem("chain", "prev is not the SHA-256 of the previous payload")
            except Problem as problem:
                raise Problem(problem.kind, f"{where}: {problem}") from None
            payloads.append(payload)
            prev = hashlib.sha256(payload).hexdigest()
            decisions[obj.get("decision")] = decisions.get(obj.get("decision"), 0) + 1
            sessions.add(obj.get("session"))
    if not payloads:
        raise Problem("missing", f"no receipts in {receipts}")
    sealed_size, perfect = 0, {}
    for cp, where in checkpoints:
        size = cp.get("size")
        if cp.get("log") != log_id:
            raise Problem("log_id", f"{where}: checkpoint of another log")
        if not isinstance(size, int) or size < 1:
            raise Problem("schema", f"{where}: checkpoint size {size!r}")
        if size > len(payloads):
            raise Problem("truncated", f"{where}: checkpoint covers {size} receipts, the log holds {len(payloads)}")
        head = hashlib.sha256(payloads[size - 1]).hexdigest()
        if cp.get("root") != merkle_root(payloads, size, perfect) or cp.get("head") != head:
            raise Problem("checkpoint", f"{where}: Merkle root or head does not match the receipts")
        sealed_size = max(sealed_size, size)
    if sealed and sealed_size < len(payloads):
        raise Problem("unsealed", f"{len(payloads) - sealed_size} receipt(s) after the last checkpoint")
    return {"receipts": len(payloads), "log": log_id, "sessions": len(sessions), "decisions": decisions,
            "checkpoints": len(checkpoints), "sealed_size": sealed_size}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("receipts", type=Path, help="the .vectimus/receipts directory")
    parser.add_argument("--keys", type=Path, help="directory of trusted *.pub keys (default: ../keys)")
    parser.add_argument("--sealed", action="store_true", help="require a checkpoint covering every receipt")
    args = parser.parse_args(argv)
    if not args.receipts.is_dir():
        parser.error(f"{args.receipts} is not a directory")
    keys = load_keys(args.keys or args.receipts.parent / "keys")
    try:
        summary = verify(args.receipts, keys, args.sealed)
    except Problem as problem:
        print(f"FAILED {problem.kind}: {problem}")
        return 1
    print("OK " + json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
