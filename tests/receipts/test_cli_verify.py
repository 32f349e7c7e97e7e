"""``vectimus verify`` as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

VECTIMUS = str(Path(sys.executable).parent / "vectimus")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([VECTIMUS, "verify", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"})


def test_default_path_is_this_projects_log(log):
    sub = log.project / "src" / "pkg"
    sub.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=log.project, check=True)
    out = run(cwd=sub)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verified" in out.stdout and "10" in out.stdout
    assert "allow 5, ask 2, deny 3" in out.stdout


def test_json_report(log):
    out = run(str(log.dir), "--json", cwd=log.project)
    assert out.returncode == 0
    report = json.loads(out.stdout)
    assert (report["ok"], report["receipts"], report["sessions"], report["sealed_size"]) == (True, 10, 1, 10)
    assert report["decisions"] == {"allow": 5, "ask": 2, "deny": 3}
    assert report["first_failure"] is None


def test_a_tampered_log_fails_with_the_first_failures_position_and_kind(log):
    lines = log.lines()
    del lines[3]
    log.set_lines(lines)
    out = run(str(log.project), cwd=log.project)
    assert out.returncode == 1
    assert "FAILED" in out.stdout and "segment-000000000000.jsonl:4 (seq 4)" in out.stdout and "sequence" in out.stdout
    report = json.loads(run(str(log.dir), "--json", cwd=log.project).stdout)
    assert report["ok"] is False and report["first_failure"]["kind"] == "sequence"


def test_keys_option_and_a_wrong_key_directory(log, tmp_path):
    elsewhere = tmp_path / "audit-keys"
    elsewhere.mkdir()
    assert run(str(log.dir), "--keys", str(elsewhere), cwd=log.project).returncode == 1
    for pub in log.keys.glob("*.pub"):
        (elsewhere / pub.name).write_bytes(pub.read_bytes())
    assert run(str(log.dir), "--keys", str(elsewhere), cwd=log.project).returncode == 0


def test_a_single_segment_file_and_the_sealed_flag(proj, vhome):
    from tests.support.receipts import Log

    log = Log(proj, vhome).write(6)  # checkpoint at 4, two receipts after it
    assert run(str(log.segment()), cwd=proj).returncode == 0
    assert run(str(log.dir), cwd=proj).returncode == 0
    out = run(str(log.dir), "--sealed", cwd=proj)
    assert out.returncode == 1 and "unsealed" in out.stdout


def test_a_single_receipt_file_pretty_printed(log, tmp_path):
    one = tmp_path / "receipts" / "receipt-3.json"
    one.parent.mkdir()
    one.write_text(json.dumps(json.loads(log.lines()[3]), indent=2) + "\n")
    keys = ["--keys", str(log.keys)]
    out = run(str(one), *keys, "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    assert json.loads(out.stdout)["receipts"] == 1
    tampered = json.loads(one.read_text())
    tampered["payloadType"] = "application/vnd.vectimus.checkpoint+json"
    one.write_text(json.dumps(tampered, indent=2))
    out = run(str(one), *keys, "--json", cwd=tmp_path)
    assert out.returncode == 1 and json.loads(out.stdout)["first_failure"]["kind"] == "payload_type"
