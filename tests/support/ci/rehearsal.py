"""Driving a rehearsed job's agent session through its hooks, and tampering with its
artifact as an attacker would."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.support.ci.scenario import Job, decision_of


def drive_session(job: Job) -> dict[str, tuple[str, str]]:
    """The agent's tool calls, each through the installed PreToolUse hook; their (decision, reason)."""
    repo = job.repo
    calls = {
        "workflow write": ("Write", {"file_path": str(repo / ".github/workflows/release.yml"),
                                     "content": "on: push\njobs: {}\n"}),
        "settings write": ("Write", {"file_path": str(repo / ".claude/settings.json"), "content": "{}\n"}),
        "rule disable": ("Bash", {"command": "vectimus rule disable vectimus-fileint-001",
                                  "description": "Disable the workflow rule"}),
        "read": ("Read", {"file_path": str(repo / "src/app.py")}),
        "edit": ("Edit", {"file_path": str(repo / "src/app.py"), "old_string": "hello",
                          "new_string": "hello, world", "replace_all": False}),
        "test run": ("Bash", {"command": "python -m pytest -q", "description": "Run the tests"}),
        "deploy": ("Bash", {"command": "./deploy.sh", "description": "Deploy"}),
    }
    return {label: decision_of(job.fire("PreToolUse", job.tool_event(tool, tool_input)))
            for label, (tool, tool_input) in calls.items()}


def tamper(receipts: Path) -> None:
    """Turn the first deny in the log into an allow without re-signing (what an attacker would do)."""
    segment = sorted(receipts.glob("segment-*.jsonl"))[0]
    lines = segment.read_bytes().splitlines()
    for i, line in enumerate(lines):
        envelope = json.loads(line)
        payload = base64.b64decode(envelope["payload"])
        if b'"decision":"deny"' in payload:
            envelope["payload"] = base64.b64encode(payload.replace(b'"decision":"deny"', b'"decision":"allow"', 1)).decode()
            lines[i] = json.dumps(envelope, separators=(",", ":")).encode()
            break
    else:
        raise AssertionError("no deny to tamper with")
    segment.write_bytes(b"\n".join(lines) + b"\n")
