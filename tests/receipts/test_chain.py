"""The local chained log: cadence of checkpoints, segments, recovery from crashes, configuration."""

from __future__ import annotations

import base64
import json

import pytest

from vectimus.receipts import chain
from vectimus.receipts.chain import checkpoint, receipts_dir
from vectimus.receipts.verify import verify as chain_verify

from tests.support.receipts import Log, payload


def checkpoint_sizes(log: Log) -> list[int]:
    path = log.dir / "checkpoints.jsonl"
    return [json.loads(base64.b64decode(json.loads(line)["payload"]))["size"]
            for line in path.read_bytes().splitlines()] if path.exists() else []


def test_receipt_payload_carries_every_field_the_format_names(log):
    fields = json.loads(payload(log.lines()[1]))
    assert set(fields) == {"format", "log", "seq", "prev", "time", "agent", "session", "tool_use", "event",
                           "call", "actions", "decision", "reason", "policies", "errors", "mode",
                           "policy_digest", "versions", "principal"}
    assert (fields["format"], fields["seq"], fields["decision"], fields["mode"]) == ("vectimus.receipt/1", 1, "deny", "enforce")
    assert fields["prev"] == __import__("hashlib").sha256(payload(log.lines()[0])).hexdigest()
    assert fields["principal"] == {"identity_type": "human", "groups": ["dev"]}
    assert [a["kind"] for a in fields["actions"]] == ["exec", "exec"]


def test_checkpoints_every_n_and_at_session_end_once(proj, vhome):
    log = Log(proj, vhome).write(10)
    assert checkpoint_sizes(log) == [4, 8]
    log.end()
    assert checkpoint_sizes(log) == [4, 8, 10]
    log.end()  # nothing new since: no second checkpoint
    assert checkpoint_sizes(log) == [4, 8, 10]
    assert log.verify(sealed=True).ok


def test_session_end_without_a_log_writes_nothing(proj, vhome):
    assert checkpoint(proj, home=vhome, config={}) is None
    assert not (proj / ".vectimus").exists()


def test_disabled_receipts_write_nothing(proj, vhome):
    log = Log(proj, vhome, enabled=False).write(3).end()
    assert not log.dir.exists()


def test_segments_roll_over_and_verify_as_one_log(proj, vhome):
    log = Log(proj, vhome, segment_receipts=3).write(10).end()
    assert [p.name for p in sorted(log.dir.glob("segment-*.jsonl"))] == [
        "segment-000000000000.jsonl", "segment-000000000003.jsonl",
        "segment-000000000006.jsonl", "segment-000000000009.jsonl"]
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 10
    (log.dir / "segment-000000000003.jsonl").unlink()  # a whole segment removed
    assert log.verify().failures[0].kind == "sequence"


def test_the_normal_path_never_rereads_the_log(proj, vhome, monkeypatch):
    log = Log(proj, vhome).write(2)

    def no_rebuild(directory):
        raise AssertionError("state was rebuilt from the segments")

    monkeypatch.setattr(chain, "rebuild", no_rebuild)
    log.write(5).end()
    assert log.verify(sealed=True).receipts == 7


def test_a_stale_state_is_rebuilt_and_the_chain_continues(proj, vhome):
    log = Log(proj, vhome).write(5)
    state = log.dir / "state.json"
    old = state.read_bytes()
    log.write(2)
    state.write_bytes(old)  # written before the last two receipts (a crash between writes)
    log.write(3).end()
    report = log.verify(sealed=True)
    assert report.ok, [f.as_dict() for f in report.failures]
    assert (report.receipts, report.log) == (10, json.loads(old)["log"])


def test_an_edited_head_with_matching_sizes_is_not_trusted(proj, vhome):
    """The state names the last receipt's hash; an edited one is checked against the segment's tail."""
    log = Log(proj, vhome).write(5)
    state = log.dir / "state.json"
    data = json.loads(state.read_bytes())
    data["head"] = "0" * 64
    state.write_text(json.dumps(data))
    log.write(3).end()
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 8, [f.as_dict() for f in report.failures]


@pytest.mark.parametrize("tear", ["new head, old tail", "cut short"])
def test_a_state_torn_by_a_crash_is_rebuilt_not_set_aside(proj, vhome, monkeypatch, tear):
    """``state.json`` is rewritten in place: a write torn half-way fails its own digest (or is not
    JSON) and the writer rebuilds the state from the files; the log carries on under its id."""
    log = Log(proj, vhome).write(5)
    state = log.dir / "state.json"
    old = state.read_bytes()
    log.write(2)
    new = state.read_bytes()
    assert json.loads(new)["size"] == 7 and state.stat().st_size == len(new)
    half = len(new) // 2
    state.write_bytes(new[:half] + old[half:] if tear == "new head, old tail" else new[:half])
    rebuilt = []
    monkeypatch.setattr(chain, "rebuild", lambda fd, real=chain.rebuild: rebuilt.append(1) or real(fd))
    log.write(3).end()
    report = log.verify(sealed=True)
    assert rebuilt and report.ok, [f.as_dict() for f in report.failures]
    assert (report.receipts, report.log) == (10, json.loads(old)["log"])
    assert not [p for p in (proj / ".vectimus").iterdir() if p.name.startswith("receipts.set-aside-")]


def test_a_failed_append_leaves_no_state_behind_to_be_reused(proj, vhome, monkeypatch):
    """The writer reuses the state it saved only while the file holds exactly those bytes: an
    append that fails after the state changed (its checkpoint cannot be written) is rebuilt."""
    log = Log(proj, vhome).write(3)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(chain, "write_checkpoint", full_disk)
    with pytest.raises(OSError):
        log.write(1)  # the fourth receipt is due a checkpoint
    monkeypatch.undo()
    log.write(4).end()
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 8, [f.as_dict() for f in report.failures]


@pytest.mark.parametrize("damage", ["deleted", "garbage", "another directory's"])
def test_a_log_without_its_own_state_is_set_aside_and_a_new_one_begun(proj, vhome, damage):
    """Only a log whose state names this very directory is continued; the old files stay verifiable."""
    log = Log(proj, vhome).write(6)
    state = log.dir / "state.json"
    old_id = json.loads(state.read_bytes())["log"]
    if damage == "deleted":
        state.unlink()
    elif damage == "garbage":
        state.write_bytes(b'{"log": 1, "trunc')
    else:
        data = json.loads(state.read_bytes())
        data["dir"] = [data["dir"][0], data["dir"][1] + 1]
        state.write_text(json.dumps(data))
    log.write(3).end()
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 3 and report.log != old_id
    notes = json.loads(payload(log.lines()[0]))["notes"]
    aside = [p for p in (proj / ".vectimus").iterdir() if p.name.startswith("receipts.set-aside-")]
    assert len(aside) == 1 and aside[0].name in notes[0]
    old = chain_verify(aside[0], log.keys)
    assert old.ok and (old.receipts, old.log) == (6, old_id)


def test_a_torn_last_line_from_a_crash_is_cut_off(proj, vhome):
    log = Log(proj, vhome).write(4)
    with open(log.segment(), "ab") as fh:
        fh.write(b'{"payload":"eyJ')  # a write that never completed
    log.write(2).end()
    report = log.verify(sealed=True)
    assert report.ok and report.receipts == 6


def test_a_log_lives_in_the_project(proj, vhome):
    Log(proj, vhome).write(1)
    assert receipts_dir(proj) == proj / ".vectimus" / "receipts"
    assert sorted(p.name for p in receipts_dir(proj).iterdir()) == ["segment-000000000000.jsonl", "state.json"]


def test_settings_are_read_from_the_resolved_config(proj, vhome, tmp_path):
    """The real ``Config`` object (not only a dict) drives the sink."""
    from vectimus.config import load_config
    from vectimus.config import config_value
    from vectimus.receipts.sink import LocalChainSink
    from vectimus.sinks import SinkContext

    (proj / ".vectimus").mkdir()
    (vhome).mkdir()
    (vhome / "config.toml").write_text("[receipts]\ncheckpoint_every = 2\n")
    config = load_config(proj, {"VECTIMUS_HOME": str(vhome), "HOME": str(tmp_path)})
    assert config_value(config, "receipts.checkpoint_every") == 2
    assert config_value(config, "keys.signing_key") is None and config_value(config, "nope.x", 7) == 7
    ctx = SinkContext(proj, vhome, config)
    from tests.support.receipts import make_body

    for i in range(5):
        LocalChainSink().emit(make_body(i, project=proj), ctx)
    assert checkpoint_sizes(Log(proj, vhome)) == [2, 4]
