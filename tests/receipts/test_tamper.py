"""Every alteration of a log is detected, by the built-in verifier and by the independent example."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vectimus.receipts.chain import receipts_dir
from vectimus.receipts.envelope import CHECKPOINT_TYPE, RECEIPT_TYPE, canonical, encode, pae
from vectimus.receipts.keys import load_signer

from tests.support.receipts import Log, envelope, payload, run_example, with_payload


def first_failure(log: Log, verifier: str, **kw) -> str:
    """The kind of the first problem the verifier reports ('' when the log verifies)."""
    if verifier == "library":
        report = log.verify(**kw)
        assert report.ok == (not report.failures)
        return report.failures[0].kind if report.failures else ""
    code, out = run_example(log.dir, log.keys, *(["--sealed"] if kw.get("sealed") else []))
    assert code in (0, 1), out
    return "" if code == 0 else out.split()[1].rstrip(":")


VERIFIERS = pytest.mark.parametrize("verifier", ["library", "example"])


def resign(log: Log, line: bytes, payload_bytes: bytes, payload_type: str = RECEIPT_TYPE) -> bytes:
    """What someone holding the signing key could write."""
    signer = load_signer(log.home, log.project, log.ctx.config)
    return encode(payload_type, payload_bytes, signer.keyid, signer.sign(pae(payload_type, payload_bytes)))


@VERIFIERS
def test_untouched_log_verifies(log, verifier):
    assert first_failure(log, verifier, sealed=True) == ""
    report = log.verify(sealed=True)
    assert (report.receipts, report.checkpoints, report.sealed_size) == (10, 3, 10)
    assert report.decisions == {"allow": 5, "deny": 3, "ask": 2}


@VERIFIERS
def test_a_byte_changed_in_a_payload(log, verifier):
    lines = log.lines()
    body = bytearray(payload(lines[3]))
    body[body.index(b'"allow"') + 1] ^= 0x01  # "allow" -> "`llow": still JSON, one bit changed
    lines[3] = with_payload(lines[3], bytes(body))
    log.set_lines(lines)
    assert first_failure(log, verifier) == "signature"
    failure = log.verify().failures[0]
    assert (failure.line, failure.seq) == (4, 3)


@VERIFIERS
def test_a_byte_changed_in_the_stored_line(log, verifier):
    lines = log.lines()
    text = bytearray(lines[6])
    at = text.index(b'"payload":"') + 40
    text[at] = ord("A") if text[at] != ord("A") else ord("B")
    lines[6] = bytes(text)
    log.set_lines(lines)
    assert first_failure(log, verifier) in ("signature", "malformed")
    assert log.verify().failures[0].line == 7


@VERIFIERS
def test_signatures_swapped(log, verifier):
    lines = log.lines()
    a, b = envelope(lines[2]), envelope(lines[3])
    a["signatures"], b["signatures"] = b["signatures"], a["signatures"]
    lines[2], lines[3] = (json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in (a, b))
    log.set_lines(lines)
    assert first_failure(log, verifier) == "signature"
    assert log.verify().failures[0].seq == 2


@VERIFIERS
def test_a_receipt_deleted(log, verifier):
    lines = log.lines()
    del lines[5]
    log.set_lines(lines)
    assert first_failure(log, verifier) == "sequence"
    report = log.verify()
    assert (report.failures[0].line, report.failures[0].seq) == (6, 6)
    assert "chain" in {f.kind for f in report.failures}


@VERIFIERS
def test_a_duplicate_receipt_inserted(log, verifier):
    lines = log.lines()
    lines.insert(4, lines[3])
    log.set_lines(lines)
    assert first_failure(log, verifier) == "sequence"
    assert log.verify().failures[0].line == 5


@VERIFIERS
def test_a_receipt_forged_with_the_key_and_inserted(log, verifier):
    lines = log.lines()
    fields = json.loads(payload(lines[4]))  # seq 4, prev = hash of seq 3: a perfect fit on its own
    fields["call"]["command"] = "echo innocent"
    lines.insert(4, resign(log, lines[4], canonical(fields)))
    log.set_lines(lines)
    assert first_failure(log, verifier) == "sequence"  # the original seq 4 no longer fits


@VERIFIERS
def test_two_receipts_reordered(log, verifier):
    lines = log.lines()
    lines[3], lines[4] = lines[4], lines[3]
    log.set_lines(lines)
    assert first_failure(log, verifier) == "sequence"
    assert log.verify().failures[0].seq == 4


@VERIFIERS
def test_a_receipt_spliced_in_from_another_log(log, verifier, tmp_path):
    other = Log(tmp_path / "other", log.home)  # same user, same key: the signature is valid
    other.project.mkdir()
    other.write(10).end()
    lines = log.lines()
    lines[5] = other.lines()[5]
    log.set_lines(lines)
    assert first_failure(log, verifier) == "log_id"
    kinds = {f.kind for f in log.verify().failures}
    assert {"log_id", "chain"} <= kinds


@VERIFIERS
def test_the_tail_cut_after_a_checkpoint(log, verifier):
    log.set_lines(log.lines()[:7])  # checkpoints for 8 and 10 receipts remain
    assert first_failure(log, verifier) == "truncated"


@VERIFIERS
def test_the_tail_and_its_checkpoint_cut(log, verifier):
    """Cutting receipts together with the checkpoints that cover them leaves an unsealed tail."""
    log.set_lines(log.lines()[:6])
    cps = (log.dir / "checkpoints.jsonl").read_bytes().splitlines(keepends=True)
    (log.dir / "checkpoints.jsonl").write_bytes(cps[0])  # keep only the checkpoint at 4
    assert first_failure(log, verifier) == ""
    assert first_failure(log, verifier, sealed=True) == "unsealed"
    assert [w.kind for w in log.verify().warnings] == ["unsealed"]


@VERIFIERS
def test_a_wrong_public_key(log, verifier, tmp_path):
    stranger = Log(tmp_path / "stranger", tmp_path / "stranger-home")
    stranger.project.mkdir()
    stranger.write(1)
    shutil.rmtree(log.keys)
    shutil.copytree(stranger.keys, log.keys)
    assert first_failure(log, verifier) == "unknown_key"


@VERIFIERS
def test_a_wrong_key_under_the_right_file_name(log, verifier, tmp_path):
    stranger = Log(tmp_path / "stranger", tmp_path / "stranger-home")
    stranger.project.mkdir()
    stranger.write(1)
    ours = next(log.keys.glob("*.pub"))
    ours.write_bytes(next(stranger.keys.glob("*.pub")).read_bytes())
    assert first_failure(log, verifier) == "unknown_key"


@VERIFIERS
def test_non_canonical_payload_signed_with_the_key(log, verifier):
    lines = log.lines()
    pretty = json.dumps(json.loads(payload(lines[2])), indent=1, sort_keys=True).encode()
    lines[2] = resign(log, lines[2], pretty)
    log.set_lines(lines)
    assert first_failure(log, verifier) == "canonical"


@VERIFIERS
def test_payload_type_changed_and_signed_with_the_key(log, verifier):
    lines = log.lines()
    lines[1] = resign(log, lines[1], payload(lines[1]), CHECKPOINT_TYPE)
    log.set_lines(lines)
    assert first_failure(log, verifier) == "payload_type"


@VERIFIERS
def test_checkpoint_root_altered_and_signed_with_the_key(log, verifier):
    path = log.dir / "checkpoints.jsonl"
    cps = path.read_bytes().splitlines(keepends=True)
    fields = json.loads(base64.b64decode(json.loads(cps[1])["payload"]))
    fields["root"] = "0" * 64
    cps[1] = resign(log, cps[1], canonical(fields), CHECKPOINT_TYPE)
    path.write_bytes(b"".join(cps))
    assert first_failure(log, verifier) == "checkpoint"


@VERIFIERS
def test_a_checkpoint_signature_broken(log, verifier):
    path = log.dir / "checkpoints.jsonl"
    cps = path.read_bytes().splitlines(keepends=True)
    fields = json.loads(base64.b64decode(json.loads(cps[0])["payload"]))
    fields["size"] = 3
    cps[0] = with_payload(cps[0], canonical(fields))
    path.write_bytes(b"".join(cps))
    assert first_failure(log, verifier) == "signature"


def test_every_failure_is_listed_with_a_known_kind(log):
    from vectimus.receipts.findings import KINDS

    lines = log.lines()
    del lines[2]
    lines[5], lines[6] = lines[6], lines[5]
    log.set_lines(lines)
    report = log.verify()
    assert not report.ok and report.failure_count == len(report.failures) >= 3
    assert {f.kind for f in report.failures} <= set(KINDS)
    assert report.as_dict()["first_failure"]["position"] == "segment-000000000000.jsonl:3 (seq 3)"


def test_empty_or_missing_log_fails(proj):
    from vectimus.receipts.verify import verify

    report = verify(receipts_dir(proj), proj / ".vectimus" / "keys")
    assert not report.ok and {f.kind for f in report.failures} == {"keys", "missing"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_changed_anywhere_in_a_segment_is_detected(log, data):
    original = log.segment().read_bytes()
    at = data.draw(st.integers(0, len(original) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]))
    try:
        log.segment().write_bytes(original[:at] + bytes([new]) + original[at + 1:])
        assert not log.verify().ok
    finally:
        log.segment().write_bytes(original)


def test_base64_with_stray_low_bits_is_not_another_valid_spelling(log):
    lines = log.lines()
    env = envelope(lines[0])
    sig = env["signatures"][0]["sig"]  # 64 bytes: 88 characters ending in "==", the last data char has 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(sig[-3])
    env["signatures"][0]["sig"] = sig[:-3] + alphabet[last ^ 1] + "=="
    assert base64.b64decode(env["signatures"][0]["sig"]) == base64.b64decode(sig)  # same bytes
    lines[0] = json.dumps(env, separators=(",", ":")).encode() + b"\n"
    log.set_lines(lines)
    assert log.verify().failures[0].kind == "malformed"
    assert run_example(log.dir, log.keys)[0] == 1


@VERIFIERS
@pytest.mark.parametrize("change", [b"\r", b" ", b"\t"])
def test_whitespace_around_an_envelope_is_a_changed_line(log, verifier, change):
    """A line's bytes are the envelope's own: a byte of whitespace before or after it (JSON would
    read past) is found, as any other changed byte is."""
    lines = log.lines()
    lines[4] = lines[4].rstrip(b"\n") + change + b"\n"
    log.set_lines(lines)
    assert first_failure(log, verifier) == "malformed"
    if verifier == "library":
        assert log.verify().failures[0].line == 5
