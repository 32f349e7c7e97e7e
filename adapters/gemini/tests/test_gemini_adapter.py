"""The Gemini CLI adapter: every tool as Gemini CLI 0.61.0 sends it, MCP names, answers, install."""

from __future__ import annotations

import json

import pytest

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision
from vectimus_gemini import GeminiAdapter

A = GeminiAdapter()
APP = "/home/dev/app"


def event(tool: str, tool_input, **extra) -> dict:
    """A BeforeTool event shaped like the captured ones."""
    return {"session_id": "s1", "transcript_path": "/home/dev/.gemini/tmp/app/chats/s1.jsonl", "cwd": APP,
            "hook_event_name": "BeforeTool", "timestamp": "2026-11-29T12:19:49.417Z",
            "tool_name": tool, "tool_input": tool_input, **extra}


@pytest.mark.parametrize("tool, args, kind, attr, expected", [
    ("run_shell_command", {"command": "echo hi", "description": "d"}, "shell", "command", "echo hi"),
    ("write_file", {"file_path": "notes/new.txt", "content": "x"}, "file_write", "paths", ("notes/new.txt",)),
    ("write_file", {"file_path": "notes/new.txt", "content": "x"}, "file_write", "content", "x"),
    ("replace", {"file_path": f"{APP}/a.py", "old_string": "a", "new_string": "b", "instruction": "i"},
     "file_write", "content", "b"),
    ("read_file", {"file_path": "existing.txt", "start_line": 1}, "file_read", "paths", ("existing.txt",)),
    ("read_file", {"absolute_path": f"{APP}/.env"}, "file_read", "paths", (f"{APP}/.env",)),
    ("read_many_files", {"include": ["src/a.py", ".env"], "recursive": False}, "file_read", "paths",
     ("src/a.py", ".env")),
    ("list_directory", {"dir_path": "."}, "file_read", "paths", (".",)),
    ("glob", {"pattern": "**/*.txt"}, "file_read", "paths", (APP,)),
    ("glob", {"pattern": "*.pem", "dir_path": "~/.ssh"}, "file_read", "paths", ("~/.ssh",)),
    ("grep_search", {"pattern": "bye", "include_pattern": "*.py"}, "file_read", "paths", (APP,)),
    ("google_web_search", {"query": "vectimus"}, "web_search", "query", "vectimus"),
    ("web_fetch", {"prompt": "Summarize https://example.com/page please"}, "web_fetch", "url",
     "https://example.com/page"),
    ("web_fetch", {"url": "http://169.254.169.254/latest/meta-data/"}, "web_fetch", "url",
     "http://169.254.169.254/latest/meta-data/"),
    ("invoke_agent", {"agent_name": "generalist", "prompt": "look around"}, "spawn", "prompt", "look around"),
    ("write_todos", {"todos": []}, "internal", "paths", ()),
    ("activate_skill", {"name": "x"}, "internal", "paths", ()),
])
def test_tools(tool, args, kind, attr, expected):
    call = A.parse(event(tool, args), {})
    assert (call.agent, call.tool, call.kind, call.event) == ("gemini", tool, kind, "BeforeTool")
    assert getattr(call, attr) == expected
    assert call.arguments == args and call.cwd == APP and call.session_id == "s1"


def test_shell_runs_in_its_dir_path():
    call = A.parse(event("run_shell_command", {"command": "cat existing.txt > copy.txt", "dir_path": "notes"}), {})
    assert call.cwd == f"{APP}/notes" and call.project_dir != call.cwd


@pytest.mark.parametrize("prompt, why", [
    ("compare https://a.example and https://b.example", "one URL per call"),
    ("summarise the page", "url"),
])
def test_web_fetch_prompts_that_cannot_be_judged_are_refused(prompt, why):
    with pytest.raises(AdapterError, match=why):
        A.parse(event("web_fetch", {"prompt": prompt}), {})


def test_a_non_http_url_in_the_prompt_is_still_the_call_judged():
    assert A.parse(event("web_fetch", {"prompt": "read file:///etc/passwd"}), {}).url == "file:///etc/passwd"


def test_mcp_server_comes_from_mcp_context():
    context = {"server_name": "my_server", "tool_name": "delete_repo", "command": "python3", "args": []}
    call = A.parse(event("mcp_my_server_delete_repo", {"repo": "acme/prod"}, mcp_context=context), {})
    assert (call.kind, call.mcp_server, call.mcp_tool, call.arguments) == (
        "mcp", "my_server", "delete_repo", {"repo": "acme/prod"})


def test_mcp_name_without_context_is_still_an_mcp_call():
    call = A.parse(event("mcp_echo_echo_text", {"text": "hi"}), {})
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "echo", "echo_text")


def test_unknown_tools_are_unknown_calls():
    assert A.parse(event("read_mcp_resource", {"uri": "x://y"}), {}).kind == "unknown"


@pytest.mark.parametrize("bad", [
    [], "x", {"hook_event_name": "BeforeTool", "cwd": APP},
    {"hook_event_name": "AfterTool", "cwd": APP, "tool_name": "glob", "tool_input": {}},
    event("run_shell_command", {"description": "no command"}),
    event("write_file", "not an object"),
])
def test_malformed_events_are_adapter_errors(bad):
    with pytest.raises(AdapterError):
        A.parse(bad, {})


def test_session_end_is_a_session_event():
    ended = A.parse({"session_id": "s1", "cwd": APP, "hook_event_name": "SessionEnd", "reason": "exit"}, {})
    assert isinstance(ended, SessionEvent) and ended.session_id == "s1"


def test_project_comes_from_gemini_project_dir(tmp_path):
    call = A.parse(event("glob", {"pattern": "*"}, cwd=str(tmp_path / "sub")),
                   {"GEMINI_PROJECT_DIR": str(tmp_path)})
    assert call.project_dir == str(tmp_path)


def test_answers_are_json_with_exit_0_and_ask_becomes_deny():
    allow = A.render(Decision("allow"), None)
    assert (allow.stdout, allow.exit_code) == ("{}", 0)
    assert A.render(Decision("observe"), None).stdout == "{}"
    deny = A.render(Decision("deny", reason="vectimus-x-001: no"), None)
    assert deny.exit_code == 0 and json.loads(deny.stdout) == {"decision": "deny", "reason": "vectimus-x-001: no"}
    ask = json.loads(A.render(Decision("ask", reason="vectimus-x-002: maybe"), None).stdout)
    assert ask["decision"] == "deny" and "vectimus-x-002: maybe" in ask["reason"] and "approval" in ask["reason"]
    assert json.loads(A.render(Decision("deny"), None).stdout)["reason"]  # never empty


def test_install_merges_names_the_hook_and_times_out_in_milliseconds(tmp_path):
    settings = tmp_path / ".gemini" / "settings.json"
    settings.parent.mkdir()
    mine = {"matcher": "write_file", "hooks": [{"name": "fmt", "type": "command", "command": "./fmt.sh"}]}
    settings.write_text(json.dumps({"mcpServers": {"gh": {"command": "gh-mcp"}}, "hooks": {"BeforeTool": [mine]}}))
    command = "/v/bin/python -I -S /v/vectimus/hook_script.py --agent gemini"
    assert A.install(tmp_path, command, ci=True) == [settings]
    first = settings.read_text()
    A.install(tmp_path, command, ci=True)
    assert settings.read_text() == first
    data = json.loads(first)
    assert data["mcpServers"] == {"gh": {"command": "gh-mcp"}}
    before, ours = data["hooks"]["BeforeTool"]
    assert before == mine and ours["matcher"] == "*"
    assert ours["hooks"] == [{"type": "command", "command": command, "timeout": 30_000, "name": "vectimus"}]
    assert data["hooks"]["SessionEnd"] == [{"hooks": ours["hooks"]}]
    assert A.installed_commands(tmp_path) == [command]
    assert A.uninstall(tmp_path) == [settings]
    assert json.loads(settings.read_text()) == {"mcpServers": {"gh": {"command": "gh-mcp"}}, "hooks": {"BeforeTool": [mine]}}


def test_canary_is_a_recursive_root_delete(tmp_path):
    call = A.parse(A.canary_event(tmp_path), {})
    assert (call.kind, call.command) == ("shell", "rm -rf /")


def test_it_says_how_a_hook_can_fail_open():
    assert "times out" in A.fails_open and "trusted folder" in A.install_note(None)
