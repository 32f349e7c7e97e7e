"""After a real agent session, the project's receipt log verifies and holds one receipt per call."""

from __future__ import annotations

import json

import pytest

from mockmodel import ToolUse



def claude_steps(agent) -> list[list[ToolUse]]:
    return [
        [ToolUse("Bash", {"command": "echo hello > hello.txt", "description": "write"})],
        [ToolUse("Write", {"file_path": str(agent.root / ".github" / "workflows" / "x.yml"),
                           "content": "on: push\n"})],
        [ToolUse("Read", {"file_path": str(agent.root / "README.md")})],
        [ToolUse("Bash", {"command": "vectimus remove", "description": "remove"})],
    ]


def codex_steps(agent) -> list[list[ToolUse]]:
    return [
        [ToolUse("exec_command", {"cmd": "echo hello > hello.txt"})],
        [ToolUse("apply_patch", "*** Begin Patch\n*** Add File: .github/workflows/x.yml\n+on: push\n*** End Patch\n")],
        [ToolUse("apply_patch", "*** Begin Patch\n*** Add File: src/util.py\n+X = 1\n*** End Patch\n")],
        [ToolUse("exec_command", {"cmd": "vectimus remove"})],
    ]


# The report fields are those of `vectimus verify --json` on the receipts branch; strict: once
# the hook writes receipts this passes and the marker must go.
@pytest.mark.parametrize("name", ["claude", "codex"])
def test_receipt_log_verifies_with_one_receipt_per_tool_call(request, installed, name):
    agent = request.getfixturevalue(name)
    steps = (claude_steps if name == "claude" else codex_steps)(agent)
    agent.session(steps)
    assert (agent.root / "hello.txt").exists()
    assert not (agent.root / ".github" / "workflows" / "x.yml").exists()
    out = installed.run("vectimus", "verify", "--json", check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True
    assert report["receipts"] == len(steps)
    assert report["decisions"] == {"allow": 2, "deny": 2}
