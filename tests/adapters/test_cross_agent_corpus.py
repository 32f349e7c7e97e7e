"""The same policies cover every agent: each shell command of the shared dcg corpus, sent as
Claude Code's ``Bash``, Cursor's ``beforeShellExecution``, Copilot CLI's ``bash`` and VS Code's
``run_in_terminal``, gets the same decision with the same reason from the real hook handler.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vectimus.hook.respond import handle
from vectimus_claude import ClaudeAdapter
from vectimus_copilot import CopilotAdapter
from vectimus_cursor import CursorAdapter

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dcg" / "dcg-corpus.jsonl"
VECTIMUS = str(Path(sys.executable).with_name("vectimus"))
# Denied by the policies that exist from the start, so denials are compared whatever the packs hold.
DENIED = ["vectimus remove", "cd src && vectimus mcp allow github", "echo x > .github/workflows/x.yml",
          "printf 'on: push' >> .github/workflows/ci.yml"]

MISSING = f"SKIPPED: the shared dcg corpus is not at {CORPUS} (check out the shared repository beside this one)"
if not CORPUS.exists() and os.environ.get("CI"):
    raise RuntimeError(f"CI runs the corpus tests: {MISSING}")
pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason=MISSING)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    project, home = root / "app", root / "home"
    project.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VECTIMUS_", "CLAUDE", "CURSOR_", "GITHUB_")) and k != "CI"}
    env["HOME"] = str(home)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    done = subprocess.run([VECTIMUS, "init", "--ci"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return project, {"HOME": str(home), "PATH": env.get("PATH", "")}


def commands(project: Path, home: str) -> list[tuple[str, str]]:
    rows = []
    for line in CORPUS.read_text().splitlines():
        case = json.loads(line)
        tool_input = case["event"].get("tool_input") or {}
        if case["event"].get("tool_name") == "Bash" and isinstance(tool_input.get("command"), str):
            command = tool_input["command"].replace("$PROJECT", str(project)).replace("$HOME", home)
            rows.append((case["id"], command))
    return rows + [(f"denied-{i}", command) for i, command in enumerate(DENIED)]


def decide(adapter, event: dict, env: dict) -> tuple[str, str]:
    """(verdict, reason) from what the hook handler prints for this agent."""
    out = handle(adapter, json.dumps(event).encode(), env)
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout) if out.stdout else {}
    if isinstance(adapter, CursorAdapter):
        return data["permission"], data.get("user_message", "")
    data = data.get("hookSpecificOutput", data)
    return data.get("permissionDecision", "allow"), data.get("permissionDecisionReason", "")


@pytest.mark.slow  # the whole dcg corpus through three agents' hooks
def test_every_corpus_command_is_decided_identically_for_every_agent(installed):
    project, env = installed
    p = str(project)
    claude, cursor, copilot = ClaudeAdapter(), CursorAdapter(), CopilotAdapter()
    rows = commands(project, env["HOME"])
    assert len(rows) > 300
    differences, denied = [], 0
    for case_id, command in rows:
        claude_answer = decide(claude, {
            "session_id": "s", "cwd": p, "permission_mode": "default", "hook_event_name": "PreToolUse",
            "tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": "t"}, env)
        others = {
            "cursor": decide(cursor, {"conversation_id": "c", "generation_id": "g",
                                      "hook_event_name": "beforeShellExecution", "workspace_roots": [p],
                                      "command": command, "cwd": p, "sandbox": False}, env),
            "copilot": decide(copilot, {"sessionId": "s", "timestamp": 1, "cwd": p, "toolName": "bash",
                                        "toolArgs": json.dumps({"command": command})}, env),
            "vscode": decide(copilot, {"hook_event_name": "PreToolUse", "session_id": "s", "cwd": p,
                                       "tool_name": "run_in_terminal",
                                       "tool_input": {"command": command, "isBackground": False}}, env),
        }
        denied += claude_answer[0] == "deny"
        differences += [(case_id, agent, claude_answer, got) for agent, got in others.items()
                        if got != claude_answer]
    assert not differences, differences[:5]
    assert denied >= len(DENIED)  # the comparison covered denials, not only allows
