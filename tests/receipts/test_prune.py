"""``vectimus receipts prune``: old receipts go, whole sealed segments at a time, and the log still verifies.

What went is a signed record in ``pruned.jsonl``; ``vectimus verify`` accepts a log missing its
first receipts only through that record, and still catches every other cut.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.receipts import Log, payload, with_payload

VECTIMUS = str(Path(sys.executable).parent / "vectimus")


def run(*args: str, log: Log) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(log.project.parent), "VECTIMUS_HOME": str(log.home), "COLUMNS": "200"}
    return subprocess.run([VECTIMUS, *args], cwd=log.project, capture_output=True, text=True, timeout=60, env=env)


def verify(log: Log, *args: str) -> dict:
    return json.loads(run("verify", str(log.dir), "--json", *args, log=log).stdout)


def prune(log: Log, *args: str) -> subprocess.CompletedProcess:
    return run("receipts", "prune", "--project", str(log.project), *args, log=log)


def segments(log: Log) -> list[str]:
    return sorted(p.name for p in log.dir.glob("segment-*.jsonl"))


OLD = "2020-01-31T09:15:02.123456Z"  # receipts made then are older than --older-than 1d


def aged(log: Log, n: int, **kw) -> Log:
    """``n`` receipts made long ago."""
    return log.write(n, at=OLD, **kw)


def test_whole_sealed_segments_go_and_the_log_still_verifies(proj, vhome):
    log = aged(Log(proj, vhome, segment_receipts=4), 10).end()
    anchors = verify(log)
    assert segments(log) == ["segment-000000000000.jsonl", "segment-000000000004.jsonl", "segment-000000000008.jsonl"]

    done = prune(log, "--older-than", "1d", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["receipts"], result["first"], result["last"], result["kept"]) == (8, 0, 7, 2)
    assert result["segments"] == ["segment-000000000000.jsonl", "segment-000000000004.jsonl"]
    assert segments(log) == ["segment-000000000008.jsonl"]  # the last segment always stays
    record = json.loads(payload((log.dir / "pruned.jsonl").read_bytes()))
    assert record["format"] == "vectimus.prune/1" and record["size"] == 8 and record["log"] == anchors["log"]
    assert [s["receipts"] for s in record["segments"]] == [4, 4]

    after = verify(log, "--sealed")
    assert after["ok"], after["failures"]
    assert (after["pruned"], after["receipts"], after["last_checkpoint"]) == (8, 2, anchors["last_checkpoint"])
    last = f"{anchors['last_checkpoint']['size']}:{anchors['last_checkpoint']['root']}"
    checkpoints = [json.loads(payload(line)) for line in (log.dir / "checkpoints.jsonl").read_bytes().splitlines()]
    for cp in checkpoints:  # anchors from before the prune still hold: 4 (pruned), 8 (the prune point), 10
        assert verify(log, "--checkpoint", f"{cp['size']}:{cp['root']}", "--key", anchors["keys_used"][0])["ok"]
    assert not verify(log, "--checkpoint", f"4:{'0' * 64}")["ok"]

    log.write(3, session="s2").end("s2")  # the writer goes on after the prune
    again = verify(log, "--sealed", "--checkpoint", last)
    assert again["ok"] and (again["pruned"], again["receipts"]) == (8, 5)
    assert prune(log, "--older-than", "1d").stdout.startswith("Nothing to prune")  # the rest is too young


def test_every_other_cut_is_still_detected(proj, vhome, tmp_path):
    log = aged(Log(proj, vhome, segment_receipts=4), 8).write(12).end()  # receipts 0-7 old, 8-19 new
    assert prune(log, "--older-than", "1d").returncode == 0
    assert segments(log)[0] == "segment-000000000008.jsonl" and verify(log, "--sealed")["ok"]
    kept = tmp_path / "kept"
    shutil.copytree(log.dir, kept)

    def restore():
        shutil.rmtree(log.dir)
        shutil.copytree(kept, log.dir)

    (log.dir / "pruned.jsonl").unlink()  # the record gone: the log just starts at 8
    assert verify(log)["first_failure"]["kind"] == "sequence"
    restore()
    (log.dir / "segment-000000000012.jsonl").unlink()  # a segment after the prune point
    cut = verify(log)
    assert cut["first_failure"]["kind"] in ("sequence", "chain") and cut["first_failure"]["seq"] == 16
    restore()
    (log.dir / "segment-000000000008.jsonl").unlink()  # the first kept segment: cut as if pruned, no record for it
    assert verify(log)["first_failure"]["kind"] == "sequence"
    restore()
    line = (log.dir / "pruned.jsonl").read_bytes()
    forged = json.loads(payload(line)) | {"size": 12}  # the record edited to cover more
    (log.dir / "pruned.jsonl").write_bytes(with_payload(line, json.dumps(forged, separators=(",", ":")).encode()))
    assert verify(log)["first_failure"]["kind"] == "signature"
    restore()
    assert verify(log, "--sealed")["ok"]


def test_without_a_record_a_missing_first_segment_is_a_cut(proj, vhome):
    log = Log(proj, vhome, segment_receipts=4).write(10).end()
    (log.dir / "segment-000000000000.jsonl").unlink()
    assert verify(log)["first_failure"]["kind"] == "sequence"


def test_only_sealed_segments_go(proj, vhome):
    log = aged(Log(proj, vhome, segment_receipts=4, checkpoint_every=0), 10)  # no checkpoint yet
    done = prune(log, "--older-than", "1d", "--json")
    assert json.loads(done.stdout)["receipts"] == 0 and len(segments(log)) == 3
    log.end()  # the session end seals all ten
    assert json.loads(prune(log, "--older-than", "1d", "--json").stdout)["receipts"] == 8


def test_a_dry_run_removes_nothing_and_a_log_that_fails_is_not_pruned(proj, vhome):
    log = aged(Log(proj, vhome, segment_receipts=4), 10).end()
    dry = prune(log, "--older-than", "1d", "--dry-run")
    assert dry.returncode == 0 and "Would remove 8 receipt(s), #0–#7" in dry.stdout
    assert len(segments(log)) == 3 and not (log.dir / "pruned.jsonl").exists()

    lines = log.lines(1)
    lines[1] = with_payload(lines[1], payload(lines[1]).replace(b'"decision":"deny"', b'"decision":"allow"'))
    log.set_lines(lines, 1)
    refused = prune(log, "--older-than", "1d")
    assert refused.returncode == 1 and "does not verify (signature at segment-000000000004.jsonl:2" in refused.stderr
    assert len(segments(log)) == 3 and not (log.dir / "pruned.jsonl").exists()
    assert prune(log, "--older-than", "0s").returncode == 2  # a duration longer than zero


def test_a_prune_cut_short_is_checked_against_its_record_and_finished_later(proj, vhome, tmp_path):
    log = aged(Log(proj, vhome, segment_receipts=4), 10).end()
    saved = tmp_path / "saved"
    saved.mkdir()
    for name in segments(log)[:2]:
        shutil.copy(log.dir / name, saved / name)
    assert prune(log, "--older-than", "1d").returncode == 0

    shutil.copy(saved / "segment-000000000004.jsonl", log.dir)  # killed after the record and the first unlink
    report = verify(log, "--sealed")
    assert report["ok"] and [w["kind"] for w in report["warnings"]] == ["pruned"]
    shutil.copy(saved / "segment-000000000000.jsonl", log.dir)  # killed before any unlink: all read, all checked
    report = verify(log, "--sealed")
    assert report["ok"] and (report["pruned"], report["receipts"]) == (0, 10)
    lines = log.lines(0)
    log.set_lines(lines[:3] + [lines[1]], 0)  # and one of them altered: the record no longer matches
    assert not verify(log)["ok"]
    shutil.copy(saved / "segment-000000000000.jsonl", log.dir)

    assert prune(log, "--older-than", "1d").returncode == 0  # the next prune finishes the job
    assert segments(log) == ["segment-000000000008.jsonl"] and verify(log, "--sealed")["ok"]


def test_the_writer_rebuilds_its_state_from_a_pruned_log(proj, vhome):
    log = aged(Log(proj, vhome, segment_receipts=4), 10).end()
    assert prune(log, "--older-than", "1d").returncode == 0
    state = json.loads((log.dir / "state.json").read_text())
    (log.dir / "state.json").write_text(json.dumps(state | {"segment_bytes": 1}))  # stale: rebuilt from the files
    log.write(2, session="s2").end("s2")
    report = verify(log, "--sealed")
    assert report["ok"] and (report["pruned"], report["receipts"]) == (8, 4)
    assert json.loads((log.dir / "state.json").read_text())["size"] == 12


def test_the_prune_command_needs_a_log(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run([VECTIMUS, "receipts", "prune", "--older-than", "90d", "--project", str(empty)],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 1 and "no receipt log here" in done.stderr
