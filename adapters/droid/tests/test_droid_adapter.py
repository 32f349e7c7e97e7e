"""The Factory Droid adapter: its tools as Droid 0.225.2 sends them, MCP names, answers, the
hooks.json shape it accepts."""

from __future__ import annotations

import json

import pytest

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision
from vectimus_droid import DroidAdapter

A = DroidAdapter()
APP = "/home/dev/app"


def event(tool: str, tool_input, **extra) -> dict:
    """A PreToolUse event shaped like the captured ones (no tool_use_id)."""
    return {"session_id": "s1", "transcript_path": "/home/dev/.factory/sessions/s1.jsonl", "cwd": APP,
            "permission_mode": "auto-high", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, **extra}


@pytest.mark.parametrize("tool, args, kind, attr, expected", [
    ("Execute", {"command": "rm -rf ~", "summary": "s", "riskLevel": "high", "riskLevelReason": "r"},
     "shell", "command", "rm -rf ~"),
    ("Create", {"file_path": f"{APP}/new.txt", "content": "hello\n"}, "file_write", "content", "hello\n"),
    ("Edit", {"file_path": f"{APP}/a.py", "old_str": "a", "new_str": "b"}, "file_write", "paths", (f"{APP}/a.py",)),
    ("Edit", {"file_path": f"{APP}/a.py", "old_str": "a", "new_str": "b"}, "file_write", "content", "b"),
    ("Read", {"file_path": f"{APP}/.env"}, "file_read", "paths", (f"{APP}/.env",)),
    ("LS", {"directory_path": "/etc"}, "file_read", "paths", ("/etc",)),
    ("LS", {}, "file_read", "paths", (APP,)),
    ("Grep", {"pattern": "x", "path": "~/.ssh"}, "file_read", "paths", ("~/.ssh",)),
    ("Glob", {"patterns": ["**/*.py"], "folder": "src"}, "file_read", "paths", ("src",)),
    ("Task", {"subagent_type": "worker", "description": "d", "prompt": "p"}, "spawn", "prompt", "p"),
    ("ToolSearch", {"query": "testsrv"}, "internal", "paths", ()),
    ("TodoWrite", {"todos": []}, "internal", "paths", ()),
])
def test_tools(tool, args, kind, attr, expected):
    call = A.parse(event(tool, args), {})
    assert (call.agent, call.tool, call.kind, call.permission_mode) == ("droid", tool, kind, "auto-high")
    assert getattr(call, attr) == expected and call.arguments == args


def test_mcp_tools_are_server_triple_underscore_tool():
    call = A.parse(event("testsrv___delete_repo", {"repo": "acme/prod"}), {})
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "testsrv", "delete_repo")


def test_other_tools_are_unknown():
    assert A.parse(event("FetchUrl", {"url": "https://x"}), {}).kind == "unknown"


@pytest.mark.parametrize("bad", [
    None, [], event("Execute", {"summary": "no command"}), event("Create", "text"),
    {"hook_event_name": "PreToolUse", "cwd": APP, "tool_input": {}},
    {**event("Read", {"file_path": "x"}), "hook_event_name": "PostToolUse"},
])
def test_malformed_events_are_adapter_errors(bad):
    with pytest.raises(AdapterError):
        A.parse(bad, {})


def test_session_end_is_a_session_event():
    ended = A.parse({"session_id": "s1", "cwd": APP, "hook_event_name": "SessionEnd", "reason": "other"}, {})
    assert isinstance(ended, SessionEvent)


def test_deny_is_hook_specific_output_and_ask_becomes_deny():
    assert A.render(Decision("allow"), None).stdout == ""
    for verdict in ("deny", "ask"):
        out = json.loads(A.render(Decision(verdict, reason="vectimus-x-001: no"), None).stdout)
        hso = out["hookSpecificOutput"]
        assert (hso["hookEventName"], hso["permissionDecision"]) == ("PreToolUse", "deny")
        assert "vectimus-x-001" in hso["permissionDecisionReason"] and "permissionDecision" not in out


def test_hooks_json_holds_the_events_at_its_top_level(tmp_path):
    """Droid ignores a hooks.json that wraps its events in {"hooks": ...}."""
    hooks = tmp_path / ".factory" / "hooks.json"
    hooks.parent.mkdir()
    mine = [{"matcher": "Execute", "hooks": [{"type": "command", "command": "./audit.sh"}]}]
    hooks.write_text(json.dumps({"PreToolUse": mine}))
    command = "/v/bin/python -I -S /v/vectimus/hook_script.py --agent droid"
    A.install(tmp_path, command, ci=True)
    first = hooks.read_text()
    A.install(tmp_path, command, ci=True)
    assert hooks.read_text() == first
    data = json.loads(first)
    assert set(data) == {"PreToolUse", "SessionEnd"} and "hooks" not in data
    entry = {"type": "command", "command": command, "timeout": 30}
    assert data["PreToolUse"] == [*mine, {"matcher": "*", "hooks": [entry]}]
    assert data["SessionEnd"] == [{"hooks": [entry]}]
    assert A.installed_commands(tmp_path) == [command]
    A.uninstall(tmp_path)
    assert json.loads(hooks.read_text()) == {"PreToolUse": mine}


def test_uninstall_deletes_a_file_that_held_only_our_hooks(tmp_path):
    A.install(tmp_path, "/v/vectimus/hook_script.py --agent droid", ci=False)
    assert A.uninstall(tmp_path) == [tmp_path / ".factory" / "hooks.json"]
    assert not (tmp_path / ".factory" / "hooks.json").exists()


def test_canary_is_a_recursive_root_delete(tmp_path):
    call = A.parse(A.canary_event(tmp_path), {})
    assert (call.kind, call.command) == ("shell", "rm -rf /")
