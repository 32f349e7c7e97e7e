"""Anchors recorded outside the log (``vectimus verify --key / --checkpoint``) catch what the log alone cannot.

A log verified against the keys beside it trusts whoever put them there: a log rewritten and
re-signed with a new key, with that key's public half in ``keys/``, verifies; so does a log cut
back exactly to one of its checkpoints. The key's fingerprint and the last checkpoint, recorded
where the agent could not write (the CI job's log and summary), are what reject them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from vectimus.receipts import keys as keymod
from vectimus.receipts.chain import append_receipt, checkpoint
from vectimus.receipts.sink import LocalChainSink
from vectimus.sinks import SinkContext

from tests.support.receipts import Log, make_body, payload

VECTIMUS = str(Path(sys.executable).parent / "vectimus")
CHAIN_FIELDS = ("format", "log", "seq", "prev")


def verify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([VECTIMUS, "verify", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"})


def report(*args: str, cwd: Path) -> dict:
    return json.loads(verify(*args, "--json", cwd=cwd).stdout)


def anchors(log: Log) -> tuple[str, str]:
    """The key fingerprint and the last checkpoint as ``SIZE:ROOT``, as a CI job records them."""
    data = report(str(log.dir), cwd=log.project)
    assert data["ok"] and len(data["keys_used"]) == 1
    last = data["last_checkpoint"]
    return data["keys_used"][0], f"{last['size']}:{last['root']}"


def test_json_reports_the_last_checkpoint(log):
    data = report(str(log.dir), cwd=log.project)
    last = json.loads(payload((log.dir / "checkpoints.jsonl").read_bytes().splitlines(keepends=True)[-1]))
    assert data["last_checkpoint"] == {"size": 10, "root": last["root"]} and last["size"] == 10
    assert data["anchors"] == {"keys": [], "checkpoints": []}
    text = verify(str(log.dir), cwd=log.project).stdout
    assert f"10:{last['root']}" in text and data["keys_used"][0] in text  # whole, to be copied


def test_a_log_rewritten_and_resigned_with_a_new_key_is_rejected_with_key(log, tmp_path):
    key, _ = anchors(log)
    # The forger drops the denials, re-chains what is left and signs it with a key of their own.
    bodies = [json.loads(payload(line)) for line in log.lines()]
    forged = tmp_path / "forged"
    forged.mkdir()
    for body in bodies:
        if body["decision"] == "allow":
            append_receipt(forged, {k: v for k, v in body.items() if k not in CHAIN_FIELDS},
                           home=tmp_path / "forger-home", config={})
    checkpoint(forged, home=tmp_path / "forger-home", config={})
    shutil.rmtree(log.dir)
    shutil.rmtree(log.keys)
    shutil.copytree(forged / ".vectimus" / "receipts", log.dir)
    shutil.copytree(forged / ".vectimus" / "keys", log.keys)

    assert verify(str(log.dir), "--sealed", cwd=log.project).returncode == 0  # consistent on its own
    done = verify(str(log.dir), "--sealed", "--key", key, cwd=log.project)
    assert done.returncode == 1
    data = report(str(log.dir), "--key", key.upper(), cwd=log.project)
    assert data["first_failure"]["kind"] == "keys" and key in data["first_failure"]["message"]
    assert {f["kind"] for f in data["failures"]} == {"keys", "unknown_key"}
    assert data["anchors"]["keys"] == [key]


def test_a_second_key_beside_the_real_one_warns_and_is_rejected_with_key(proj, vhome, tmp_path):
    log = Log(proj, vhome).write(6)
    key, _ = anchors(log)
    # Receipts signed with another key continue the log, that key's public half put beside the real one.
    other = tmp_path / "other.key"
    keymod._write_new_key(other)
    ctx = SinkContext(proj, vhome, {"receipts": {"checkpoint_every": 4}, "keys": {"signing_key": str(other)}})
    for i in range(6, 9):
        LocalChainSink().emit(make_body(i, project=proj), ctx)
    assert len(list(log.keys.glob("*.pub"))) == 2

    done = verify(str(log.dir), cwd=proj)
    assert done.returncode == 0 and "2 keys signed this log" in done.stdout
    data = report(str(log.dir), cwd=proj)
    assert data["ok"] and [w["kind"] for w in data["warnings"]] == ["unsealed", "keys"]
    pinned = report(str(log.dir), "--key", key, cwd=proj)
    assert not pinned["ok"] and {f["kind"] for f in pinned["failures"]} == {"unknown_key"}
    assert [f["seq"] for f in pinned["failures"] if f["seq"] is not None] == [6, 7, 8]  # and the checkpoint at 8
    assert pinned["keys_used"] == [key]
    assert any("not anchored, so not trusted" in w["message"] for w in pinned["warnings"])


def test_a_log_cut_back_exactly_to_a_checkpoint_is_rejected_with_checkpoint(log):
    key, last = anchors(log)
    assert last.startswith("10:")
    # Cut back to the checkpoint at 8: the receipts after it and the later checkpoint go together.
    log.set_lines(log.lines()[:8])
    cps = log.dir / "checkpoints.jsonl"
    cps.write_bytes(b"".join(cps.read_bytes().splitlines(keepends=True)[:2]))
    assert verify(str(log.dir), "--sealed", "--key", key, cwd=log.project).returncode == 0  # consistent on its own

    done = verify(str(log.dir), "--sealed", "--key", key, "--checkpoint", last, cwd=log.project)
    assert done.returncode == 1 and "truncated" in done.stdout
    data = report(str(log.dir), "--checkpoint", last, cwd=log.project)
    assert data["first_failure"]["kind"] == "truncated" and "holds only 8" in data["first_failure"]["message"]


def test_a_checkpoint_anchor_must_match_a_signed_checkpoint_exactly(log):
    _, last = anchors(log)
    size, root = last.split(":")
    assert verify(str(log.dir), "--checkpoint", last, "--checkpoint", last, cwd=log.project).returncode == 0
    earlier = report(str(log.dir), cwd=log.project)  # an earlier checkpoint (size 8) holds too
    cp8 = json.loads(payload((log.dir / "checkpoints.jsonl").read_bytes().splitlines()[1]))
    assert report(str(log.dir), "--checkpoint", f"8:{cp8['root']}", cwd=log.project)["ok"] and earlier["ok"]
    wrong = report(str(log.dir), "--checkpoint", f"{size}:{'0' * 64}", cwd=log.project)
    assert wrong["first_failure"]["kind"] == "anchor"
    unsigned = report(str(log.dir), "--checkpoint", f"9:{root}", cwd=log.project)  # 9 receipts, no checkpoint of 9
    assert unsigned["first_failure"]["kind"] == "anchor" and "no checkpoint of size 9" in unsigned["first_failure"]["message"]


def test_malformed_anchors_are_refused_before_anything_is_read(log):
    for args in (["--key", "abc"], ["--checkpoint", "10"], ["--checkpoint", "0:" + "a" * 64],
                 ["--checkpoint", "x:" + "a" * 64]):
        done = verify(str(log.dir), *args, cwd=log.project)
        assert done.returncode == 2 and "error:" in done.stderr, args
