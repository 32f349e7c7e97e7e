"""The Codex adapter: parsing events (Bash, apply_patch, MCP), rendering decisions, installing."""

from __future__ import annotations

import json

import pytest

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision
from vectimus_codex import CodexAdapter

ADAPTER = CodexAdapter()
VECTIMUS = "vectimus hook --agent codex"


def event(tool: str, tool_input, cwd: str = "/home/dev/app", **extra) -> dict:
    return {"session_id": "s1", "turn_id": "t1", "transcript_path": None, "cwd": cwd,
            "hook_event_name": "PreToolUse", "model": "gpt-5.5", "permission_mode": "default",
            "tool_name": tool, "tool_input": tool_input, "tool_use_id": "call_1", **extra}


# ---------------------------------------------------------------- apply_patch parsing

# ---------------------------------------------------------------- parse

def test_bash_becomes_a_shell_call():
    call = ADAPTER.parse(event("Bash", {"command": "cat <<'EOF' > .github/workflows/x.yml\non: push\nEOF"}), {})
    assert call.kind == "shell"
    assert call.command.startswith("cat <<'EOF'")
    assert (call.agent, call.tool, call.cwd) == ("codex", "Bash", "/home/dev/app")
    assert (call.session_id, call.tool_use_id) == ("s1", "call_1")


def test_bash_argv_from_older_codex_is_joined_into_a_command_line():
    call = ADAPTER.parse(event("Bash", {"command": ["bash", "-lc", "rm -rf ~/x && echo done"]}), {})
    assert call.kind == "shell"
    assert call.command == "bash -lc 'rm -rf ~/x && echo done'"


def test_apply_patch_text_under_input_is_read_too():
    call = ADAPTER.parse(event("apply_patch", {"input": "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch"}), {})
    assert call.paths == ("/home/dev/app/a",)


def test_apply_patch_becomes_a_file_write_over_every_touched_path():
    patch = ("*** Begin Patch\n*** Add File: .github/workflows/x.yml\n+on: push\n"
             "*** Update File: /etc/hosts\n@@\n+1.2.3.4 x\n*** Delete File: README.md\n*** End Patch")
    call = ADAPTER.parse(event("apply_patch", {"command": patch}), {})
    assert call.kind == "file_write"
    assert call.paths == ("/home/dev/app/.github/workflows/x.yml", "/etc/hosts",
                          "/home/dev/app/README.md")
    assert call.content == "on: push\n1.2.3.4 x"
    assert call.arguments["deleted"] == ["/home/dev/app/README.md"]
    assert call.arguments["added"] == ["/home/dev/app/.github/workflows/x.yml"]
    assert call.arguments["command"] == patch


def test_apply_patch_that_only_deletes_is_a_file_delete():
    call = ADAPTER.parse(event("apply_patch", {"command": "*** Begin Patch\n*** Delete File: AGENTS.md\n*** End Patch\n"}), {})
    assert call.kind == "file_delete"
    assert call.paths == ("/home/dev/app/AGENTS.md",)
    assert call.content is None


def test_apply_patch_move_covers_source_and_target():
    patch = "*** Begin Patch\n*** Update File: a.py\n*** Move to: .codex/hooks.json\n@@\n-x\n+y\n*** End Patch\n"
    call = ADAPTER.parse(event("apply_patch", {"command": patch}), {})
    assert call.kind == "file_write"
    assert set(call.paths) == {"/home/dev/app/a.py", "/home/dev/app/.codex/hooks.json"}


@pytest.mark.parametrize("tool_input", [None, "x", {}, {"command": 3}, {"command": "rm -rf /"},
                                        {"command": ["*** Begin Patch"]}])
def test_malformed_apply_patch_is_an_adapter_error(tool_input):
    with pytest.raises(AdapterError):
        ADAPTER.parse(event("apply_patch", tool_input), {})


def test_mcp_tool_names_split_into_server_and_tool():
    call = ADAPTER.parse(event("mcp__github__delete_repo", {"repo": "acme/prod"}), {})
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "github", "delete_repo")
    assert call.arguments == {"repo": "acme/prod"}


def test_other_tools_are_unknown_not_dropped():
    call = ADAPTER.parse(event("write_stdin", {"session_id": 1, "chars": "rm -rf /\n"}), {})
    assert call.kind == "unknown"
    assert call.tool == "write_stdin"


@pytest.mark.parametrize("bad", [
    [],
    "text",
    {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}},
    event("Bash", {"command": 5}),
    event("Bash", "ls"),
    event("", {"command": "ls"}),
    {**event("Bash", {"command": "ls"}), "hook_event_name": "PostToolUse"},
])
def test_malformed_events_are_adapter_errors(bad):
    with pytest.raises(AdapterError):
        ADAPTER.parse(bad, {})


def test_stop_is_a_session_event():
    parsed = ADAPTER.parse({"hook_event_name": "Stop", "cwd": "/home/dev/app", "session_id": "s1"}, {})
    assert isinstance(parsed, SessionEvent)
    assert parsed.event == "Stop"


def test_project_is_the_nearest_git_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    call = ADAPTER.parse(event("Bash", {"command": "ls"}, cwd=str(tmp_path / "src")), {})
    assert call.project_dir == str(tmp_path)


# ---------------------------------------------------------------- render

def test_allow_and_observe_print_nothing():
    for decision in ("allow", "observe"):
        out = ADAPTER.render(Decision(decision, reason="fine"), None)
        assert (out.stdout, out.exit_code) == ("", 0)


def test_deny_is_hook_specific_output_with_the_reason():
    out = ADAPTER.render(Decision("deny", reason="vectimus-fileint-001: writes to CI config"), None)
    assert out.exit_code == 0
    assert json.loads(out.stdout) == {"hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "deny",
        "permissionDecisionReason": "vectimus-fileint-001: writes to CI config"}}


def test_deny_reason_is_never_empty():
    out = json.loads(ADAPTER.render(Decision("deny", reason="  "), None).stdout)
    assert out["hookSpecificOutput"]["permissionDecisionReason"].strip()


def test_ask_is_rendered_as_deny():
    out = json.loads(ADAPTER.render(Decision("ask", reason="needs review"), None).stdout)
    assert out["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "needs review" in out["hookSpecificOutput"]["permissionDecisionReason"]


# ---------------------------------------------------------------- install

def test_install_merges_with_existing_hooks_and_is_idempotent(tmp_path):
    hooks = tmp_path / ".codex" / "hooks.json"
    hooks.parent.mkdir()
    other = {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}
    hooks.write_text(json.dumps({"hooks": {"PreToolUse": [other]}}))
    assert ADAPTER.install(tmp_path, VECTIMUS, ci=True) == [hooks]
    first = hooks.read_text()
    ADAPTER.install(tmp_path, VECTIMUS, ci=True)
    assert hooks.read_text() == first
    groups = json.loads(first)["hooks"]["PreToolUse"]
    assert groups[0] == other
    assert groups[1] == {"matcher": "*", "hooks": [{"type": "command", "command": VECTIMUS, "timeout": 30}]}
    assert ADAPTER.installed_commands(tmp_path) == [VECTIMUS]


def test_uninstall_leaves_other_hooks(tmp_path):
    hooks = tmp_path / ".codex" / "hooks.json"
    hooks.parent.mkdir()
    hooks.write_text(json.dumps({"hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}]}}))
    ADAPTER.install(tmp_path, VECTIMUS, ci=False)
    assert ADAPTER.uninstall(tmp_path) == [hooks]
    assert json.loads(hooks.read_text())["hooks"]["PreToolUse"] == [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}]
    assert ADAPTER.installed_commands(tmp_path) == []
    assert ADAPTER.uninstall(tmp_path) == []


def test_uninstall_removes_a_file_it_alone_filled(tmp_path):
    ADAPTER.install(tmp_path, VECTIMUS, ci=False)
    ADAPTER.uninstall(tmp_path)
    assert not (tmp_path / ".codex" / "hooks.json").exists()


def test_install_note_says_how_to_enable_hooks(tmp_path):
    note = ADAPTER.install_note(tmp_path)
    assert "[features]" in note and "hooks = true" in note
    assert f'[projects."{tmp_path}"]' in note and 'trust_level = "trusted"' in note


def test_canary_event_parses_to_a_recursive_root_delete(tmp_path):
    call = ADAPTER.parse(ADAPTER.canary_event(tmp_path), {})
    assert (call.kind, call.command) == ("shell", "rm -rf /")


def test_detect_looks_for_codex_config(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert not ADAPTER.detect(tmp_path, home)
    (home / ".codex").mkdir()
    assert ADAPTER.detect(tmp_path, home)
