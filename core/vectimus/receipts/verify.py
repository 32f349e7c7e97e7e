"""Verify a receipt log (or one receipt file) without trusting the machine that wrote it.

Every receipt is checked for: envelope shape, payload type, a known key, a valid Ed25519
signature over the DSSE PAE of the stored payload bytes, RFC 8785 canonical form, the fields of
the format, the log id, consecutive sequence numbers and the hash chain. Every checkpoint is
checked the same way and its size, Merkle root and head are recomputed from the receipts. The
first problem's position and kind say where the log was altered. ``Anchors`` recorded outside the
log (``vectimus.receipts.anchors``) restrict the keys trusted and name checkpoints it must hold.

A log pruned by ``vectimus receipts prune`` starts after its latest signed prune record, which
carries the hash and Merkle frontier of the receipts it removed: the chain and every later
checkpoint are checked from there, and a log missing its first receipts without such a record
fails as any other cut does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from vectimus.layout import is_segment_name, segment_first_seq
from vectimus.receipts import merkle
from vectimus.receipts.anchors import Anchors, format_checkpoint
from vectimus.receipts.chain import RECEIPTS_DIR, SEGMENT_GLOB
from vectimus.receipts.envelope import (
    CHECKPOINT_FORMAT, CHECKPOINT_TYPE, PRUNE_FORMAT, PRUNE_TYPE, RECEIPT_FORMAT, RECEIPT_TYPE, ZERO_HASH,
    EnvelopeError, canonical, decode, encode, pae, sha256_hex,
)
from vectimus.receipts.findings import Problem, Report
from vectimus.receipts.keys import load_public_keys
from vectimus.receipts.state import CHECKPOINTS, PRUNED

RECEIPT_FIELDS = {"format": str, "log": str, "seq": int, "prev": str, "time": str, "agent": str,
                  "session": str, "decision": str, "mode": str, "policy_digest": str}
CHECKPOINT_FIELDS = {"format": str, "log": str, "size": int, "root": str, "head": str, "time": str}
PRUNE_FIELDS = {**CHECKPOINT_FIELDS, "frontier": list, "segments": list}
_HEX64 = frozenset("0123456789abcdef")


def _strict_object(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _is_hex64(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _schema_errors(fields: dict, required: dict, fmt: str, hashes: tuple[str, ...]) -> str:
    if fields.get("format") != fmt:
        return f"format is {fields.get('format')!r}, expected {fmt!r}"
    for name, kind in required.items():
        value = fields.get(name)
        if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or value < 0)):
            return f"{name} missing or not a {kind.__name__}"
    for name in hashes:
        if not _is_hex64(fields[name]):
            return f"{name} is not a 64-digit lowercase hex SHA-256"
    return ""


@dataclass
class Opened:
    """An envelope line after the per-record checks: its payload bytes and fields (when readable)."""

    payload: bytes
    fields: dict | None
    problems: list


def open_record(line: bytes, payload_type: str, keys: dict, used: set) -> Opened:
    """Run the per-record checks on one envelope line."""
    problems: list[tuple[str, str]] = []
    try:
        env = decode(line)
    except EnvelopeError as exc:
        return Opened(line, None, [("malformed", f"not an envelope: {exc}")])
    if len(env.signatures) == 1 and encode(env.payload_type, env.payload, *env.signatures[0]) != line + b"\n":
        problems.append(("malformed", "the line is not byte for byte the envelope it holds (bytes around it changed)"))
    if env.payload_type != payload_type:
        problems.append(("payload_type", f"payloadType {env.payload_type!r}, expected {payload_type!r}"))
    message = pae(env.payload_type, env.payload)
    known = [(kid, sig) for kid, sig in env.signatures if kid in keys]
    if not known:
        problems.append(("unknown_key", f"signed by unknown key {env.signatures[0][0][:16]}…"))
    else:
        for kid, sig in known:
            try:
                keys[kid].verify(sig, message)
                used.add(kid)
                break
            except InvalidSignature:
                continue
        else:
            problems.append(("signature", f"invalid signature by key {known[0][0][:16]}…"))
    try:
        fields = json.loads(env.payload.decode("utf-8"), object_pairs_hook=_strict_object,
                            parse_constant=_reject_constant)
        if not isinstance(fields, dict):
            raise ValueError("payload is not a JSON object")
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return Opened(env.payload, None, problems + [("malformed", f"payload is not JSON: {exc}")])
    try:
        if canonical(fields) != env.payload:
            problems.append(("canonical", "payload bytes are not the RFC 8785 form of its JSON"))
    except Exception as exc:  # rfc8785 rejects what JCS cannot represent
        problems.append(("canonical", f"payload cannot be canonicalised: {exc}"))
    return Opened(env.payload, fields, problems)


class _LogVerifier:
    """Streams the receipts of one log through the chain and Merkle checks."""

    def __init__(self, report: Report, keys: dict, *, whole_log: bool):
        self.report, self.keys, self.whole_log = report, keys, whole_log
        self.next_seq: int | None = 0 if whole_log else None
        self.head = ZERO_HASH if whole_log else None
        self.frontier: list = []
        self.targets: dict[int, list] = {}  # checkpoint size -> [(fields, file, line)]
        self.claimed = 0  # the largest size a well-signed checkpoint vouches for
        self.prunes: list = []  # valid prune records: [(fields, file, line)]

    def receipt(self, line: bytes, file: str, lineno: int) -> None:
        report = self.report
        rec = open_record(line, RECEIPT_TYPE, self.keys, report.keys_used)
        fields = rec.fields or {}
        seq = fields.get("seq") if isinstance(fields.get("seq"), int) else None
        here: dict[str, Any] = dict(file=file, line=lineno, seq=seq)
        problems = list(rec.problems)
        chained = False
        if rec.fields is not None:
            problem = _schema_errors(fields, RECEIPT_FIELDS, RECEIPT_FORMAT, ("prev",))
            if problem:
                problems.append(("schema", problem))
            else:
                problems += self._chain(fields)
                chained = True
                report.sessions.add(fields["session"])
                report.decisions[fields["decision"]] += 1
                report.modes[fields["mode"]] += 1
                report.first_time = report.first_time or fields["time"]
                report.last_time = fields["time"]
        for kind, message in problems:
            report.fail(Problem(kind, message, **here))
        if not chained and self.next_seq is not None:
            self.next_seq += 1  # an unreadable receipt still takes its place
        self.head = sha256_hex(rec.payload)
        merkle.append(self.frontier, rec.payload)
        report.receipts += 1
        for fields_cp, cp_file, cp_line in self.targets.pop(report.size, ()):
            self._match(fields_cp, cp_file, cp_line)

    def _chain(self, fields: dict) -> list[tuple[str, str]]:
        problems = []
        if not self.report.log:
            self.report.log = fields["log"]
        elif fields["log"] != self.report.log:
            problems.append(("log_id", f"log {fields['log']}, expected {self.report.log}"))
        if self.next_seq is not None and fields["seq"] != self.next_seq:
            problems.append(("sequence", f"seq {fields['seq']}, expected {self.next_seq}"))
        if self.head is not None and fields["prev"] != self.head:
            problems.append(("chain", f"prev {fields['prev'][:16]}… is not the previous payload's hash "
                                      f"{self.head[:16]}…"))
        self.next_seq = fields["seq"] + 1
        return problems

    def checkpoint(self, line: bytes, file: str, lineno: int) -> None:
        rec = open_record(line, CHECKPOINT_TYPE, self.keys, self.report.keys_used)
        problems = list(rec.problems)
        if rec.fields is not None:
            problem = _schema_errors(rec.fields, CHECKPOINT_FIELDS, CHECKPOINT_FORMAT, ("root", "head"))
            if problem:
                problems.append(("schema", problem))
        for kind, message in problems:
            self.report.fail(Problem(kind, f"checkpoint: {message}", file, lineno))
        self.report.checkpoints += 1
        if rec.fields is not None and not problems:
            self.targets.setdefault(rec.fields["size"], []).append((rec.fields, file, lineno))
            self.claimed = max(self.claimed, rec.fields["size"])

    def prune_record(self, line: bytes, file: str, lineno: int) -> None:
        """Check one record of ``pruned.jsonl``; a valid one may be where the chain starts."""
        rec = open_record(line, PRUNE_TYPE, self.keys, self.report.keys_used)
        problems = list(rec.problems)
        if rec.fields is not None:
            problem = _schema_errors(rec.fields, PRUNE_FIELDS, PRUNE_FORMAT, ("root", "head"))
            if not problem:
                try:
                    frontier = merkle.load(rec.fields["frontier"])
                except (ValueError, TypeError):
                    frontier = None
                if frontier is None or sum(n for n, _ in frontier) != rec.fields["size"] \
                        or merkle.root(frontier) != rec.fields["root"]:
                    problem = "its Merkle frontier does not give its size and root"
            if problem:
                problems.append(("pruned", problem))
        for kind, message in problems:
            self.report.fail(Problem(kind, f"prune record: {message}", file, lineno))
        if rec.fields is not None and not problems and rec.fields["size"] > 0:
            self.prunes.append((rec.fields, file, lineno))

    def start(self, files: list[Path]) -> list[Path]:
        """Where the chain starts, and the segment files to read from there.

        At receipt 0, unless the latest prune record's receipts are gone: then right after them,
        with the record's head and Merkle frontier (its earlier checkpoints are kept as signed,
        no longer recomputable). While the pruned segments are still there (a prune cut short),
        they are read and must match the record.
        """
        if not self.prunes:
            return files
        fields, file, lineno = max(self.prunes, key=lambda p: p[0]["size"])
        size, report = fields["size"], self.report
        if files and segment_first_seq(files[0].name) == 0:
            self.targets.setdefault(size, []).append((fields, file, lineno))
            return files
        report.log, report.pruned = fields["log"], size
        self.next_seq, self.head, self.frontier = size, fields["head"], merkle.load(fields["frontier"])
        for covered in sorted(s for s in self.targets if s <= size):
            for cp, cp_file, cp_line in self.targets.pop(covered):
                if covered == size:
                    self._match(cp, cp_file, cp_line)
                elif cp["log"] == report.log:
                    report.pruned_roots[covered] = cp["root"]
        kept = [f for f in files if segment_first_seq(f.name) >= size or not is_segment_name(f.name)]
        for leftover in sorted(set(files) - set(kept)):
            report.warnings.append(Problem("pruned", f"{leftover.name} holds receipts the prune record covers: "
                                                     "`vectimus receipts prune` removes it", leftover.name))
        return kept

    def _match(self, fields: dict, file: str, lineno: int) -> None:
        report = self.report
        what = "prune record" if fields.get("format") == PRUNE_FORMAT else "checkpoint"
        kind = "pruned" if what == "prune record" else "checkpoint"
        where = dict(file=file, line=lineno, seq=fields["size"] - 1)
        if fields["log"] != report.log:
            report.fail(Problem("log_id", f"{what} of log {fields['log']}, expected {report.log}", **where))
            return
        root = merkle.root(self.frontier)
        if fields["root"] != root or fields["head"] != self.head:
            report.fail(Problem(kind, f"{what} of size {fields['size']} has root "
                                      f"{fields['root'][:16]}…, the receipts give {root[:16]}…", **where))
            return
        if what == "checkpoint":
            report.roots[fields["size"]] = root
            report.sealed_size = max(report.sealed_size, fields["size"])

    def finish(self, *, sealed: bool) -> None:
        report = self.report
        for size in sorted(self.targets):
            for fields, file, lineno in self.targets[size]:
                report.fail(Problem("truncated", f"{'checkpoint' if fields['format'] == CHECKPOINT_FORMAT else 'prune record'}"
                                                 f" signed for {size} receipts, the log holds only {report.size}: "
                                                 "the tail was cut", file, lineno))
        if self.whole_log and report.size > self.claimed:
            problem = Problem("unsealed", f"{report.size - self.claimed} receipt(s) after the last "
                                          f"checkpoint ({self.claimed}): a session still running, "
                                          f"or a tail cut together with its checkpoint")
            report.fail(problem) if sealed else report.warnings.append(problem)
        for size, root in report.anchors.checkpoints:
            anchor = format_checkpoint(size, root)
            if report.size < size:
                report.fail(Problem("truncated", f"the anchored checkpoint {anchor[:24]}… covers {size} receipts, "
                                                 f"the log holds only {report.size}: its tail was cut", report.path))
            elif report.roots.get(size, report.pruned_roots.get(size)) != root:
                held = f"its checkpoint of size {size} has root {report.roots[size][:16]}…" if size in report.roots \
                    else f"it holds no checkpoint of size {size} that matches its receipts"
                report.fail(Problem("anchor", f"the anchored checkpoint {anchor[:24]}… is not this log's: {held}",
                                    report.path))
        if len(report.keys_used) > 1:
            report.warnings.append(Problem("keys", f"{len(report.keys_used)} keys signed this log "
                                                   f"({', '.join(k[:16] + '…' for k in sorted(report.keys_used))}): "
                                                   "one writer signs with one key; pin the expected one with --key",
                                           report.keys_dir))


def _lines(path: Path):
    data = path.read_bytes()
    stripped = data.strip()
    if stripped.startswith(b"{") and b"\n" in stripped:  # one pretty-printed envelope?
        try:
            single = json.loads(stripped)
            if isinstance(single, dict) and "payloadType" in single:
                yield 1, json.dumps(single, separators=(",", ":")).encode()
                return
        except ValueError:
            pass
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            yield number, line


def resolve(path: Path | None, keys: Path | None, cwd: Path) -> tuple[Path, Path]:
    """The receipts path and keys directory ``vectimus verify`` uses for its arguments."""
    if path is None:
        path = cwd / RECEIPTS_DIR
    elif path.is_dir() and (path / RECEIPTS_DIR).is_dir():
        path = path / RECEIPTS_DIR
    if keys is None:
        keys = (path.parent if path.is_dir() else path.parent.parent) / "keys"
    return path, keys


def trusted_keys(report: Report, keys_dir: Path) -> dict:
    """The public keys in ``keys_dir`` to verify with: all of them, or only the anchored ones."""
    keys, key_problems = load_public_keys(keys_dir) if keys_dir.is_dir() else ({}, [])
    report.warnings += [Problem("keys", p, str(keys_dir)) for p in key_problems]
    pinned = report.anchors.keys
    if not pinned:
        if not keys:
            report.fail(Problem("keys", f"no Ed25519 public key (*.pub) in {keys_dir}", str(keys_dir)))
        return keys
    for fingerprint in pinned:
        if fingerprint not in keys:
            report.fail(Problem("keys", f"no public key with the anchored fingerprint {fingerprint} in {keys_dir}",
                                str(keys_dir)))
    ignored = sorted(set(keys) - set(pinned))
    if ignored:
        report.warnings.append(Problem("keys", f"{len(ignored)} key(s) in {keys_dir} not anchored, so not trusted: "
                                               f"{', '.join(k[:16] + '…' for k in ignored)}", str(keys_dir)))
    return {k: keys[k] for k in pinned if k in keys}


def verify(path: Path, keys_dir: Path, *, sealed: bool = False, anchors: Anchors = Anchors()) -> Report:
    """Verify a receipts directory (a whole log) or one receipt file against the keys in ``keys_dir``.

    ``anchors`` (recorded outside the log): only their keys are trusted, and every checkpoint
    they name must be in the log, signed and matching its receipts.
    """
    path, keys_dir = Path(path), Path(keys_dir)
    report = Report(str(path), str(keys_dir), anchors=anchors)
    keys = trusted_keys(report, keys_dir)
    if path.is_dir():
        files, whole = sorted(path.glob(SEGMENT_GLOB)), True
    elif path.is_file():
        files, whole = [path], False
    else:
        files, whole = [], True
    log = _LogVerifier(report, keys, whole_log=whole)
    if whole and (path / CHECKPOINTS).is_file():
        for lineno, line in _lines(path / CHECKPOINTS):
            log.checkpoint(line, CHECKPOINTS, lineno)
    if whole and (path / PRUNED).is_file():
        for lineno, line in _lines(path / PRUNED):
            log.prune_record(line, PRUNED, lineno)
        files = log.start(files)
    for file in files:
        for lineno, line in _lines(file):
            log.receipt(line, file.name, lineno)
    if report.receipts == 0:
        report.fail(Problem("missing", f"no receipts in {path}", str(path)))
    log.finish(sealed=sealed)
    return report
