"""Malformed input of every kind: deny with a one-line reason, one JSON document, no traceback."""

from __future__ import annotations

import json

import pytest

CASES = {
    "empty": b"",
    "whitespace": b"  \n",
    "invalid json": b"{not json",
    "json array": b"[1, 2]",
    "json string": b'"PreToolUse"',
    "invalid utf-8": b'{"tool_name": "\xff\xfe"}',
    "unknown event": json.dumps({"hook_event_name": "Teleport", "cwd": "/"}).encode(),
    "no tool name": json.dumps({"hook_event_name": "PreToolUse", "tool_input": {}}).encode(),
    "tool input not an object": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                                            "tool_input": "rm -rf /"}).encode(),
    "non-string command": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                                      "tool_input": {"command": 123}}).encode(),
    "unknown tool": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Teleport",
                                "tool_input": {"to": "prod"}}).encode(),
    "read without a path": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Read",
                                       "tool_input": {"command": "git reset --hard"}}).encode(),
    "shell text the grammar chokes on": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash",
                                                    "tool_input": {"command": "{;" * 16_000}}).encode(),
    "deeply nested": b'{"a":' * 100000 + b"1" + b"}" * 100000,
    "10 MB payload": json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Write",
                                 "tool_input": {"file_path": "/tmp/x", "content": "x" * (10 * 1024 * 1024)}}).encode(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_input_is_denied(installed, name):
    result = installed.call(installed.hook_command(), CASES[name])
    assert result.rc == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    hso = out["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny"
    reason = hso["permissionDecisionReason"]
    assert reason and "\n" not in reason and len(reason) < 500


def test_unknown_agent_blocks_with_exit_2(installed):
    result = installed.call(f"{installed.hook_command().split(' --agent ')[0]} --agent nosuchagent", b"{}")
    assert result.rc == 2 and "nosuchagent" in result.stderr and result.stdout == ""


def test_corrupt_config_denies(installed):
    (installed.root / ".vectimus" / "config.toml").write_text("mode = [unclosed\n")
    event = installed.claude_event("Write", {"file_path": str(installed.root / "src/app.py"), "content": ""})
    hso = json.loads(installed.call(installed.hook_command(), event).stdout)["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "config.toml" in hso["permissionDecisionReason"]


def test_broken_policy_pack_denies(installed):
    pack = installed.root / ".vectimus" / "packs" / "mine"
    pack.mkdir(parents=True)
    (pack / "bad.cedar").write_text('@id("mine-001")\n@description("typo")\n'
                                    'forbid (principal, action, resource) when { context.no_such_fact };\n')
    event = installed.claude_event("Write", {"file_path": str(installed.root / "src/app.py"), "content": ""})
    hso = json.loads(installed.call(installed.hook_command(), event).stdout)["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "schema" in hso["permissionDecisionReason"]
