"""The writer under hostile or broken conditions: a held lock, links, foreign logs, torn lines, repeats."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time

import pytest

from vectimus.receipts.chain import LOCK_TIMEOUT, append_receipt, checkpoint
from vectimus.receipts import state
from vectimus.receipts.state import RECENT, ReceiptLogError
from vectimus.receipts.keys import SigningKeyError

from tests.support.receipts import Log, make_body, payload


def test_a_held_lock_is_waited_for_a_bounded_time(proj, vhome):
    log = Log(proj, vhome).write(1)
    holder = subprocess.Popen(["flock", "--close", str(log.dir), "sleep", "30"])  # killing it frees the lock
    try:
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(ReceiptLogError, match="locked by another process"):
            append_receipt(proj, make_body(1, project=proj), home=vhome, config={})
        assert LOCK_TIMEOUT - 0.5 < time.monotonic() - started < LOCK_TIMEOUT + 2
        started = time.monotonic()
        with pytest.raises(ReceiptLogError):  # a caller's own, nearer deadline wins
            append_receipt(proj, make_body(1, project=proj), home=vhome, config={}, deadline=time.time() + 0.3)
        assert time.monotonic() - started < 1.5
    finally:
        holder.kill()
        holder.wait()
    log.write(1)
    assert log.verify().receipts == 2


def test_the_lock_is_released_by_a_writer_that_dies(proj, vhome):
    """A flock dies with its holder: a SIGKILLed writer never leaves the log locked."""
    Log(proj, vhome).write(1)
    code = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(proj / ".vectimus" / "receipts")],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    append_receipt(proj, make_body(2, project=proj), home=vhome, config={})


@pytest.mark.parametrize("link", ["state.json", "checkpoints.jsonl", "segment-000000000000.jsonl"])
def test_a_link_inside_the_receipts_directory_is_never_written_through(proj, vhome, tmp_path, link):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    receipts = proj / ".vectimus" / "receipts"
    receipts.mkdir(parents=True)
    (receipts / link).symlink_to(outside)
    log = Log(proj, vhome).write(3).end()
    assert outside.read_text() == "precious\n"
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 3
    assert f"{link} is a symbolic link" in json.loads(payload(log.lines()[0]))["notes"][0]
    aside = [p for p in (proj / ".vectimus").iterdir() if p.name.startswith("receipts.set-aside-")]
    assert len(aside) == 1 and (aside[0] / link).is_symlink()


def test_a_linked_receipts_directory_is_set_aside_and_vectimus_itself_must_be_real(proj, vhome, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (proj / ".vectimus").mkdir()
    (proj / ".vectimus" / "receipts").symlink_to(elsewhere)
    Log(proj, vhome).write(2)
    assert not list(elsewhere.iterdir())
    assert (proj / ".vectimus" / "receipts").is_dir() and not (proj / ".vectimus" / "receipts").is_symlink()

    other = tmp_path / "other-project"
    other.mkdir()
    (other / ".vectimus").symlink_to(elsewhere)
    with pytest.raises((ReceiptLogError, SigningKeyError), match=".vectimus: .*symbolic link"):
        append_receipt(other, make_body(0, project=other), home=vhome, config={})
    assert not list(elsewhere.iterdir())


def test_a_torn_checkpoint_line_is_cut_off_by_the_next_writer(proj, vhome):
    log = Log(proj, vhome).write(5)
    with open(log.dir / "checkpoints.jsonl", "ab") as fh:
        fh.write(b'{"payload":"eyJ')  # a checkpoint whose write never completed
    assert not log.verify().ok
    log.write(1).end()
    report = log.verify(sealed=True)
    assert report.ok, [f.as_dict() for f in report.failures]
    assert checkpoint(proj, home=vhome, config={}) is None  # sealed already


def test_one_receipt_per_call_key_and_the_recorded_one_is_returned(proj, vhome):
    body = {**make_body(0, project=proj), "call_key": "ab" * 32}
    first = append_receipt(proj, body, home=vhome, config={})
    again = append_receipt(proj, {**make_body(0, project=proj, decision="deny"), "call_key": "ab" * 32},
                           home=vhome, config={})
    assert not first.duplicate and again.duplicate and again.seq == first.seq
    assert again.fields["decision"] == "allow"
    superseding = append_receipt(proj, {**body, "decision": "deny", "supersedes": first.seq}, home=vhome, config={})
    assert not superseding.duplicate and superseding.seq == first.seq + 1
    latest = append_receipt(proj, body, home=vhome, config={})
    assert latest.duplicate and latest.seq == superseding.seq  # the last receipt of the call answers
    by_nonce = {**make_body(1, project=proj), "call_key": "", "nonce": "cd" * 16}
    assert not append_receipt(proj, by_nonce, home=vhome, config={}).duplicate
    assert append_receipt(proj, by_nonce, home=vhome, config={}).duplicate
    assert Log(proj, vhome).verify().receipts == 3


def test_a_call_retried_after_many_others_still_has_one_receipt(proj, vhome):
    """A retry whose first receipt is older than the last RECENT calls' (other sessions kept writing)."""
    body = {**make_body(0, project=proj), "call_key": "ab" * 32}
    first = append_receipt(proj, body, home=vhome, config={})
    for i in range(1, RECENT + 2):
        append_receipt(proj, {**make_body(i, project=proj), "call_key": f"{i:064x}"}, home=vhome, config={})
    again = append_receipt(proj, {**make_body(0, project=proj, decision="deny"), "call_key": "ab" * 32},
                           home=vhome, config={})
    assert again.duplicate and (again.seq, again.offset, again.length) == (first.seq, first.offset, first.length)
    assert again.fields["decision"] == "allow"
    assert Log(proj, vhome).verify().receipts == RECENT + 2


def test_calls_whose_fingerprints_collide_are_told_apart_by_their_receipts(proj, vhome, monkeypatch):
    """Every call given one fingerprint: a match is only a duplicate when its receipt is the same call."""
    monkeypatch.setattr(state, "fingerprint", lambda key: "0" * state.FINGERPRINT)
    keys = [f"{i:064x}" for i in range(RECENT + 3)]
    first = [append_receipt(proj, {**make_body(i, project=proj), "call_key": k}, home=vhome, config={})
             for i, k in enumerate(keys)]
    assert not any(a.duplicate for a in first)
    for i in (0, 2):  # no longer where the state says: found by fingerprint among look-alikes
        again = append_receipt(proj, {**make_body(i, project=proj), "call_key": keys[i]}, home=vhome, config={})
        assert again.duplicate and again.seq == first[i].seq
    assert not append_receipt(proj, {**make_body(0, project=proj), "call_key": "cd" * 32}, home=vhome,
                              config={}).duplicate


def test_a_state_write_cut_short_inside_the_fingerprints_is_rebuilt_not_set_aside(proj, vhome):
    """SIGKILL in the middle of rewriting state.json: the new bytes up to a page, the old after it,
    still JSON (the cut is inside the long fingerprint string) but not a state: ours, rebuilt."""
    log = Log(proj, vhome).write(3)
    path = log.dir / "state.json"
    old = path.read_bytes()
    body = {**make_body(9, project=proj), "call_key": "ab" * 32}
    append_receipt(proj, body, home=vhome, config={})
    new = path.read_bytes()
    cut = new.index(b'"calls":"') + len(b'"calls":"') + 13
    path.write_bytes(new[:cut] + old[cut:])
    json.loads(path.read_bytes())
    assert append_receipt(proj, body, home=vhome, config={}).duplicate
    assert [p.name for p in log.dir.parent.iterdir() if p.name.startswith("receipts.set-aside")] == []
    assert log.verify().receipts == 4


def test_the_call_keys_survive_a_rebuilt_state(proj, vhome):
    body = {**make_body(0, project=proj), "call_key": "ef" * 32}
    append_receipt(proj, body, home=vhome, config={})
    Log(proj, vhome).write(2)
    state = proj / ".vectimus" / "receipts" / "state.json"
    data = json.loads(state.read_text())
    data["recent"] = []
    data["segment_bytes"] += 1  # no longer matches the file: rebuilt from the segments
    state.write_text(json.dumps(data))
    assert append_receipt(proj, body, home=vhome, config={}).duplicate


def test_a_lock_on_the_old_lock_file_holds_nothing_up(proj, vhome):
    log = Log(proj, vhome).write(1)
    fd = os.open(log.dir / "state.json", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        started = time.monotonic()
        log.write(1)
        assert time.monotonic() - started < 2
    finally:
        os.close(fd)
