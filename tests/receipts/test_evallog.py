"""The evaluation log: appended, redacted, private, rotated by size, safe under concurrency."""

from __future__ import annotations

import json
import stat
import subprocess
import sys

from vectimus.receipts.evallog import LOG_NAME, write_evaluation


def record(i: int) -> dict:
    return {"call": {"tool": "Bash", "command": f"curl -H 'Authorization: Bearer tok{i:08d}abc' x"},
            "requests": [{"action": "exec", "resource": "curl", "decision": "allow", "policies": [],
                          "errors": [], "context": {"raw": f"curl -H 'Authorization: Bearer tok{i:08d}abc' x",
                                                    "flags": ["H"], "target": {"is_secret": False}}}],
            "decision": "allow", "timings_ms": {"analyse": 0.4, "cedar": 1.2}}


def test_records_are_appended_redacted_and_private(vhome):
    for i in range(3):
        write_evaluation(record(i), vhome)
    path = vhome / "logs" / LOG_NAME
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 3 and all("time" in entry for entry in lines)
    assert lines[2]["timings_ms"] == {"analyse": 0.4, "cedar": 1.2}
    assert lines[1]["requests"][0]["context"]["target"] == {"is_secret": False}
    assert "tok00000001abc" not in path.read_text() and "[REDACTED:sha256:" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((vhome / "logs").stat().st_mode) == 0o700


def test_rotation_by_size_keeps_a_bounded_number_of_files(vhome):
    for i in range(60):
        write_evaluation(record(i), vhome, max_bytes=2000, keep=3)
    logs = vhome / "logs"
    names = sorted(p.name for p in logs.iterdir() if not p.name.startswith("."))
    assert names == [LOG_NAME, f"{LOG_NAME}.1", f"{LOG_NAME}.2", f"{LOG_NAME}.3"]
    assert all(0 < p.stat().st_size <= 2000 for p in logs.glob(f"{LOG_NAME}*"))
    newest = [json.loads(line) for line in (logs / LOG_NAME).read_text().splitlines()]
    assert newest and newest[-1]["requests"][0]["resource"] == "curl"


def test_concurrent_writers_never_interleave_lines(vhome):
    code = ("import sys; from pathlib import Path; from vectimus.receipts.evallog import write_evaluation\n"
            "for i in range(100): write_evaluation({'w': sys.argv[1], 'i': i, 'pad': 'x' * 3000}, Path(sys.argv[2]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(w), str(vhome)]) for w in range(4)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    lines = (vhome / "logs" / LOG_NAME).read_text().splitlines()
    seen = {(r["w"], r["i"]) for r in map(json.loads, lines)}
    assert len(lines) == len(seen) == 400
