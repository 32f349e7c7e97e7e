"""``vectimus demo`` (what ``make demo`` runs) tells the whole story in 80 columns, and the README's
hand-fed hook event gets the answer the README shows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

VECTIMUS = str(Path(sys.executable).parent / "vectimus")
README = Path(__file__).parent.parent / "README.md"


def _demo(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path), "HOME": str(tmp_path / "user"), "COLUMNS": "80",
           "XDG_RUNTIME_DIR": str(tmp_path)}
    return subprocess.run([VECTIMUS, "demo", *args], capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture
def short_tmp():
    """A temporary directory with a short path: the demo prints the paths it keeps on lines of their own."""
    path = Path(tempfile.mkdtemp(prefix="vd-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_demo_fits_80_columns_shows_an_ask_and_ends_with_a_verified_report(short_tmp):
    tmp_path = short_tmp
    out = _demo(tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    data = json.loads(_demo(tmp_path, "--json").stdout)
    decisions = {row["doing"]: row["decision"] for row in data["session"]}
    assert decisions["Force-push its branch"] == "ask" and decisions["Wipe home"] == "deny"
    assert decisions["Run the tests"] == "allow"
    for row in data["session"]:
        if row["decision"] != "allow":  # every policy id shown whole, under its call
            assert re.search(rf"^ +{re.escape(row['policy'])}  ", out.stdout, re.M), row["policy"]
    assert re.search(r"^ 6 ask +Force-push its branch", out.stdout, re.M)
    assert "asks the developer to approve" in out.stdout
    assert "✓ verified: 12 signed receipts" in out.stdout
    report = Path(lines[lines.index("HTML audit report:") + 1].strip())
    assert report.is_file() and report.is_relative_to(tmp_path)
    assert 'data-status="verified"' in report.read_text()
    assert data["verified"]["ok"] and data["verified"]["receipts"] == 12


def test_the_readme_hook_event_gets_the_answer_the_readme_shows(installed, tmp_path):
    text = README.read_text()
    section = text[text.index("### One hook event, by hand"):]
    event = json.loads(section.split("```json\n")[1].split("```")[0])
    event["cwd"] = str(installed.root)
    shown = section.split("$ vectimus hook --agent claude < event.json\n")[1].splitlines()[0].strip()
    expected = json.loads(shown.replace("…", ""))
    (tmp_path / "event.json").write_text(json.dumps(event))
    with open(tmp_path / "event.json") as stdin:
        out = subprocess.run([VECTIMUS, "hook", "--agent", "claude"], stdin=stdin, capture_output=True, text=True,
                             cwd=installed.root, env=installed.env, timeout=60)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)["hookSpecificOutput"]
    want = expected["hookSpecificOutput"]
    assert (answer["hookEventName"], answer["permissionDecision"]) == (want["hookEventName"], want["permissionDecision"])
    assert answer["permissionDecisionReason"].startswith(want["permissionDecisionReason"])
