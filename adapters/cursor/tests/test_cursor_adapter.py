"""The Cursor adapter: every hook event shape, the answer format, install / uninstall."""

from __future__ import annotations

import json
import tempfile

import pytest

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision
from vectimus_cursor import CursorAdapter

ROOT = tempfile.mkdtemp(prefix="vectimus-cursor-")  # a real directory: the project hint
ENV = {"CURSOR_PROJECT_DIR": ROOT}
A = CursorAdapter()


def event(name: str, **fields) -> dict:
    """A Cursor event with the common fields Cursor sends."""
    return {"conversation_id": "conv-1", "generation_id": "gen-1", "model": "gpt-5",
            "hook_event_name": name, "cursor_version": "2.1.0", "workspace_roots": [ROOT],
            "user_email": "dev@example.com", "transcript_path": None, **fields}


def test_before_shell_execution_is_a_shell_call():
    call = A.parse(event("beforeShellExecution", command="rm -rf build", cwd=f"{ROOT}/sub",
                         sandbox=False), ENV)
    assert (call.kind, call.command, call.shell) == ("shell", "rm -rf build", "bash")
    assert (call.cwd, call.project_dir, call.event) == (f"{ROOT}/sub", ROOT, "beforeShellExecution")
    assert call.session_id == "conv-1" and call.agent == "cursor"


def test_before_mcp_execution_decodes_the_json_string_input():
    call = A.parse(event("beforeMCPExecution", tool_name="create_issue",
                         tool_input='{"owner": "acme", "repo": "app"}', mcp_server_name="github",
                         command="npx -y @modelcontextprotocol/server-github"), ENV)
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "github", "create_issue")
    assert call.arguments == {"owner": "acme", "repo": "app"}


def test_before_mcp_execution_of_an_http_server():
    call = A.parse(event("beforeMCPExecution", tool_name="search", tool_input="",
                         mcp_server_name="docs", url="https://mcp.example.com/mcp"), ENV)
    assert (call.kind, call.mcp_server, call.arguments) == ("mcp", "docs", {})


@pytest.mark.parametrize("fields, message", [
    ({"tool_name": "x", "tool_input": "{not json", "mcp_server_name": "s"}, "not valid JSON"),
    ({"tool_name": "x", "tool_input": "[1, 2]", "mcp_server_name": "s"}, "not a JSON object"),
    ({"tool_name": "x", "tool_input": "{}"}, "mcp_server_name"),
    ({"tool_input": "{}", "mcp_server_name": "s"}, "tool_name"),
])
def test_malformed_mcp_events_are_refused(fields, message):
    with pytest.raises(AdapterError, match=message):
        A.parse(event("beforeMCPExecution", **fields), ENV)


def test_before_read_file_reads_the_file_and_its_attachments_but_keeps_no_content():
    call = A.parse(event("beforeReadFile", file_path=f"{ROOT}/.env", content="API_KEY=secret",
                         attachments=[{"type": "file", "file_path": f"{ROOT}/a.py"},
                                      {"type": "rule", "filePath": f"{ROOT}/.cursor/rules/x.mdc"}]),
                   ENV)
    assert call.kind == "file_read"
    assert call.paths == (f"{ROOT}/.env", f"{ROOT}/a.py", f"{ROOT}/.cursor/rules/x.mdc")
    assert "content" not in call.raw and "API_KEY=secret" not in json.dumps(call.arguments)


@pytest.mark.parametrize("attachments", [[{"file_path": 7}], 1, "a.py", {"file_path": "/a"}])
def test_before_read_file_with_bad_attachments_is_refused(attachments):
    with pytest.raises(AdapterError, match="attachments"):
        A.parse(event("beforeReadFile", file_path=f"{ROOT}/a", attachments=attachments), ENV)


@pytest.mark.parametrize("tool, tool_input, kind, attr, expected", [
    ("Shell", {"command": "ls", "working_directory": "/tmp"}, "shell", "command", "ls"),
    ("Write", {"file_path": f"{ROOT}/a.py", "content": "x"}, "file_write", "paths", (f"{ROOT}/a.py",)),
    ("StrReplace", {"path": f"{ROOT}/b.py", "old_string": "a", "new_string": "b"}, "file_write",
     "content", "b"),
    ("StrReplace", {"target_file": f"{ROOT}/c.py"}, "file_write", "paths", (f"{ROOT}/c.py",)),
    ("Delete", {"path": f"{ROOT}/old"}, "file_delete", "paths", (f"{ROOT}/old",)),
    ("Read", {"file_path": f"{ROOT}/r"}, "file_read", "paths", (f"{ROOT}/r",)),
    ("Grep", {"pattern": "x"}, "file_read", "paths", (ROOT,)),
    ("Task", {"description": "explore"}, "spawn", "prompt", "explore"),
    ("run_terminal_cmd", {"command": "make", "is_background": False}, "shell", "command", "make"),
    ("edit_file", {"target_file": f"{ROOT}/e", "code_edit": "z"}, "file_write", "content", "z"),
    ("web_search", {"search_term": "cedar"}, "web_search", "query", "cedar"),
    ("Bash", {"command": "id"}, "shell", "command", "id"),
])
def test_pre_tool_use_maps_cursor_tools(tool, tool_input, kind, attr, expected):
    call = A.parse(event("preToolUse", tool_name=tool, tool_input=tool_input, tool_use_id="t1",
                         cwd=ROOT, agent_message="..."), ENV)
    assert call.kind == kind and getattr(call, attr) == expected
    assert call.tool == tool and call.tool_use_id == "t1" and call.arguments == tool_input


def test_shell_working_directory_becomes_the_cwd():
    call = A.parse(event("preToolUse", tool_name="Shell", cwd=ROOT,
                         tool_input={"command": "ls", "working_directory": "sub"}), ENV)
    assert call.cwd == f"{ROOT}/sub"


def test_pre_tool_use_accepts_a_json_string_input():
    call = A.parse(event("preToolUse", tool_name="Write", cwd=ROOT,
                         tool_input='{"file_path": "/x/y", "content": ""}'), ENV)
    assert call.paths == ("/x/y",)


@pytest.mark.parametrize("tool_input", [{"a": 1}, "not json at all", [1, 2], None])
def test_unknown_tools_become_unknown_calls_whatever_their_input(tool_input):
    call = A.parse(event("preToolUse", tool_name="FancyNewTool", cwd=ROOT, tool_input=tool_input), ENV)
    assert call.kind == "unknown" and call.tool == "FancyNewTool"
    assert isinstance(call.arguments, dict)


def test_known_tool_with_missing_fields_is_refused():
    with pytest.raises(AdapterError, match="file_path"):
        A.parse(event("preToolUse", tool_name="Write", cwd=ROOT, tool_input={"content": "x"}), ENV)


def test_mcp_pre_tool_use_with_a_server_is_an_mcp_call_and_without_one_waits_for_mcp_event():
    named = A.parse(event("preToolUse", tool_name="MCP:create_issue", tool_input={"a": 1},
                          mcp_server_name="github", cwd=ROOT), ENV)
    assert (named.kind, named.mcp_server, named.mcp_tool) == ("mcp", "github", "create_issue")
    anonymous = A.parse(event("preToolUse", tool_name="MCP:create_issue", tool_input={}, cwd=ROOT), ENV)
    assert anonymous.kind == "internal"


@pytest.mark.parametrize("name", ["sessionEnd", "stop"])
def test_session_events(name):
    parsed = A.parse(event(name, status="completed"), ENV)
    assert isinstance(parsed, SessionEvent)
    assert (parsed.agent, parsed.event, parsed.project_dir, parsed.session_id) == ("cursor", name, ROOT, "conv-1")


@pytest.mark.parametrize("bad, message", [
    ([], "not a JSON object"),
    ({"hook_event_name": "afterFileEdit"}, "unsupported hook event"),
    ({"hook_event_name": "beforeShellExecution"}, "command"),
    ({"hook_event_name": "preToolUse", "tool_input": {}}, "tool_name"),
])
def test_malformed_events_are_refused(bad, message):
    with pytest.raises(AdapterError, match=message):
        A.parse(bad, ENV)


def test_project_comes_from_workspace_roots_without_env(tmp_path):
    (tmp_path / ".git").mkdir()
    call = A.parse({"hook_event_name": "beforeShellExecution", "command": "ls",
                    "workspace_roots": [str(tmp_path)]}, {})
    assert call.project_dir == str(tmp_path) and call.cwd == str(tmp_path)


def _call(name="beforeShellExecution"):
    return A.parse(event(name, command="x", file_path="/a", tool_name="t", tool_input="{}",
                         mcp_server_name="s"), ENV)


def test_render_allow_and_observe_answer_allow():
    for verdict in ("allow", "observe"):
        out = A.render(Decision(verdict), _call())
        assert json.loads(out.stdout) == {"permission": "allow"} and out.exit_code == 0


def test_render_deny_gives_both_messages():
    out = A.render(Decision("deny", reason="Blocked by vectimus-x"), _call())
    assert json.loads(out.stdout) == {"permission": "deny", "user_message": "Blocked by vectimus-x",
                                      "agent_message": "Blocked by vectimus-x"}
    assert out.exit_code == 0


@pytest.mark.parametrize("name, expected", [("beforeShellExecution", "ask"), ("beforeMCPExecution", "ask"),
                                            ("beforeReadFile", "deny")])
def test_ask_only_where_cursor_enforces_it(name, expected):
    assert json.loads(A.render(Decision("ask", reason="r"), _call(name)).stdout)["permission"] == expected


def test_ask_on_pre_tool_use_and_on_unparsed_events_is_deny():
    pre = A.parse(event("preToolUse", tool_name="Shell", tool_input={"command": "x"}), ENV)
    assert json.loads(A.render(Decision("ask", reason="r"), pre).stdout)["permission"] == "deny"
    assert json.loads(A.render(Decision("ask", reason="r"), None).stdout)["permission"] == "deny"


CMD = "/opt/v/bin/vectimus hook --agent cursor"


def test_install_merges_with_existing_hooks_and_is_idempotent(tmp_path):
    path = tmp_path / ".cursor" / "hooks.json"
    path.parent.mkdir()
    mine = {"command": "./hooks/format.sh"}
    path.write_text(json.dumps({"version": 1, "hooks": {"afterFileEdit": [mine],
                                                        "beforeShellExecution": [mine]}}))
    assert A.install(tmp_path, CMD, ci=True) == [path]
    A.install(tmp_path, CMD, ci=True)
    config = json.loads(path.read_text())
    assert config["version"] == 1 and config["hooks"]["afterFileEdit"] == [mine]
    for name in ("preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile",
                 "sessionEnd", "stop"):
        ours = [h for h in config["hooks"][name] if h.get("command") == CMD]
        assert ours == [{"command": CMD, "timeout": 30, "failClosed": True}], name
    assert config["hooks"]["beforeShellExecution"][0] == mine
    assert A.installed_commands(tmp_path) == [CMD]


def test_reinstall_replaces_an_older_command(tmp_path):
    A.install(tmp_path, "/old/vectimus hook --agent cursor", ci=False)
    A.install(tmp_path, CMD, ci=False)
    assert A.installed_commands(tmp_path) == [CMD]


def test_uninstall_keeps_other_hooks_and_removes_an_emptied_file(tmp_path):
    path = tmp_path / ".cursor" / "hooks.json"
    A.install(tmp_path, CMD, ci=True)
    assert A.uninstall(tmp_path) == [path] and not path.exists()
    assert A.uninstall(tmp_path) == []
    path.write_text(json.dumps({"version": 1, "hooks": {"stop": [{"command": "./x.sh"}]}}))
    A.install(tmp_path, CMD, ci=True)
    A.uninstall(tmp_path)
    assert json.loads(path.read_text()) == {"version": 1, "hooks": {"stop": [{"command": "./x.sh"}]}}
    assert A.installed_commands(tmp_path) == []


def test_install_refuses_a_config_that_is_not_an_object(tmp_path):
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor" / "hooks.json").write_text("[]")
    with pytest.raises(ValueError):
        A.install(tmp_path, CMD, ci=True)


def test_detect_and_canary(tmp_path):
    home = tmp_path / "home"
    assert not A.detect(tmp_path, home)
    (tmp_path / ".cursor").mkdir()
    assert A.detect(tmp_path, home)
    canary = A.parse(A.canary_event(tmp_path), {})
    assert canary.kind == "shell" and canary.command == "rm -rf /"
