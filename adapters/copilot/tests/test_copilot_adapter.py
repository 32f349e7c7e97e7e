"""The Copilot adapter: both input shapes, CLI / VS Code / Claude tool names, MCP names, answers,
install / uninstall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectimus.adapter import AdapterError, SessionEvent
from vectimus.model import Decision
from vectimus_copilot import EVENT_ENV, RUNTIME_NAMES, CopilotAdapter

A = CopilotAdapter()


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "home").mkdir()
    return tmp_path / "repo"


def camel(repo, tool, args, **extra) -> dict:
    return {"sessionId": "s1", "timestamp": 1704614600000, "cwd": str(repo), "toolName": tool,
            "toolArgs": args, **extra}


def pascal(repo, tool, tool_input, **extra) -> dict:
    return {"hook_event_name": "PreToolUse", "session_id": "s1", "timestamp": "2026-11-23T20:00:00Z",
            "cwd": str(repo), "tool_name": tool, "tool_input": tool_input, **extra}


def env(repo) -> dict:
    return {"HOME": str(repo.parent / "home")}


def test_camel_case_with_string_args(repo):
    call = A.parse(camel(repo, "bash", json.dumps({"command": "rm -rf dist", "description": "Clean"})),
                   env(repo))
    assert (call.kind, call.command, call.event) == ("shell", "rm -rf dist", "preToolUse")
    assert (call.cwd, call.project_dir, call.session_id) == (str(repo), str(repo), "s1")


def test_camel_case_with_object_args(repo):
    call = A.parse(camel(repo, "create", {"path": "src/a.py", "file_text": "print()"}), env(repo))
    assert (call.kind, call.paths, call.content) == ("file_write", ("src/a.py",), "print()")


def test_pascal_case_with_vs_code_tool(repo):
    call = A.parse(pascal(repo, "run_in_terminal", {"command": "python3 example.py",
                                                    "explanation": "run", "goal": "g",
                                                    "isBackground": False}, tool_use_id="u1"),
                   env(repo))
    assert (call.kind, call.command, call.event, call.tool_use_id) == \
        ("shell", "python3 example.py", "PreToolUse", "u1")


def test_vs_code_camel_spelled_fields(repo):
    event = {"hookEventName": "PreToolUse", "sessionId": "s9", "cwd": str(repo),
             "tool_name": "read_file", "tool_input": {"filePath": "/etc/hosts", "startLine": 1,
                                                      "endLine": 9}, "toolUseId": "u9"}
    call = A.parse(event, env(repo))
    assert (call.kind, call.paths, call.session_id, call.tool_use_id) == \
        ("file_read", ("/etc/hosts",), "s9", "u9")


@pytest.mark.parametrize("tool, args, kind, attr, expected", [
    # Copilot CLI
    ("powershell", {"command": "Get-ChildItem"}, "shell", "shell", "powershell"),
    ("view", {"path": "README.md"}, "file_read", "paths", ("README.md",)),
    ("edit", {"path": "a.py", "old_str": "a", "new_str": "b"}, "file_write", "content", "b"),
    ("glob", {"pattern": "**/*.py"}, "file_read", "paths", ("<cwd>",)),
    ("grep", {"pattern": "x", "path": "src"}, "file_read", "paths", ("src",)),
    ("web_fetch", {"url": "https://example.com"}, "web_fetch", "url", "https://example.com"),
    ("task", {"description": "look around", "prompt": "find tests"}, "spawn", "prompt", "find tests"),
    ("write_bash", {"sessionId": "b1", "input": "rm -rf ~\n"}, "shell", "command", "rm -rf ~\n"),
    ("report_intent", {"intent": "x"}, "internal", "paths", ()),
    # VS Code
    ("create_file", {"filePath": "/r/new.py", "content": "x"}, "file_write", "paths", ("/r/new.py",)),
    ("replace_string_in_file", {"filePath": "/r/a", "oldString": "a", "newString": "b"},
     "file_write", "content", "b"),
    ("multi_replace_string_in_file", {"explanation": "e", "replacements": [
        {"filePath": "/r/a", "oldString": "1", "newString": "2"},
        {"filePath": "/r/.github/workflows/ci.yml", "oldString": "1", "newString": "2"}]},
     "file_write", "paths", ("/r/a", "/r/.github/workflows/ci.yml")),
    ("insert_edit_into_file", {"filePath": "/r/a", "code": "z", "explanation": ""}, "file_write",
     "content", "z"),
    ("apply_patch", {"input": "*** Begin Patch\n*** Update File: src/a.py\n@@\n-a\n+b\n"
                              "*** Add File: .github/workflows/x.yml\n+on: push\n*** End Patch"},
     "file_write", "paths", ("src/a.py", ".github/workflows/x.yml")),
    ("fetch_webpage", {"urls": ["https://example.com/a"], "query": "q"}, "web_fetch", "url",
     "https://example.com/a"),
    ("grep_search", {"query": "TODO", "isRegexp": False}, "file_read", "paths", ("<cwd>",)),
    ("file_search", {"query": "**/*.md"}, "file_read", "paths", ("<cwd>",)),
    ("list_dir", {"path": "/r/src"}, "file_read", "paths", ("/r/src",)),
    ("runSubagent", {"prompt": "review", "description": "d"}, "spawn", "prompt", "review"),
    # Claude-style names (PascalCase shape)
    ("Write", {"file_path": "/r/w", "content": "c"}, "file_write", "paths", ("/r/w",)),
    ("Write", {"file_path": "/r/w", "content": "c"}, "file_write", "content", "c"),
    ("Bash", {"command": "id"}, "shell", "command", "id"),
])
def test_tool_names(repo, tool, args, kind, attr, expected):
    for shaped in (camel(repo, tool, json.dumps(args)), pascal(repo, tool, args)):
        call = A.parse(shaped, env(repo))
        want = tuple(str(repo) if p == "<cwd>" else p for p in expected) \
            if isinstance(expected, tuple) else expected
        assert call.kind == kind and getattr(call, attr) == want, shaped
        # Copilot CLI's PascalCase shape renames its tools Claude-style: recorded by runtime name
        runtime = RUNTIME_NAMES.get(tool, tool) if shaped.get("hook_event_name") else tool
        assert call.arguments == args and call.tool == runtime


@pytest.mark.parametrize("tool, args, message", [
    ("fetch_webpage", {"urls": ["https://a", "https://b"]}, "one URL per call"),
    ("multi_replace_string_in_file", {"replacements": [{"filePath": "/a"}, {"oldString": "x"}]},
     "filePaths"),
    ("apply_patch", {"input": "no patch here"}, "files"),
    ("bash", {"description": "no command"}, "command"),
])
def test_known_tools_with_inputs_that_cannot_be_evaluated_are_refused(repo, tool, args, message):
    with pytest.raises(AdapterError, match=message):
        A.parse(camel(repo, tool, args), env(repo))


@pytest.mark.parametrize("args", ['{"x": 1}', "plain text", "[1]", {"nested": {"command": "rm"}}, None])
def test_unknown_tools_are_unknown_calls(repo, args):
    call = A.parse(camel(repo, "shiny_tool", args), env(repo))
    assert call.kind == "unknown" and isinstance(call.arguments, dict)


def test_mcp_names(repo):
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "mcp.json").write_text(json.dumps({"servers": {
        "github": {"command": "npx"}, "github-enterprise": {"url": "https://ghe/mcp"},
        "my_db": {"command": "db"}}}))
    cases = {
        "mcp__github__create_issue": ("github", "create_issue"),
        "github-create_issue": ("github", "create_issue"),
        "github-enterprise-list_repos": ("github-enterprise", "list_repos"),
        "mcp_my_db_query": ("my_db", "query"),
        "mcp_undeclared_drop": ("undeclared", "drop"),
    }
    for tool, (server, name) in cases.items():
        call = A.parse(camel(repo, tool, {"q": 1}), env(repo))
        assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", server, name), tool
    assert A.parse(camel(repo, "unrelated-tool", {}), env(repo)).kind == "unknown"


def test_mcp_servers_from_the_users_copilot_config(repo):
    home = repo.parent / "home"
    (home / ".copilot").mkdir()
    (home / ".copilot" / "mcp-config.json").write_text(json.dumps({"mcpServers": {"jira": {"url": "u"}}}))
    call = A.parse(camel(repo, "jira-create_ticket", {}), env(repo))
    assert (call.kind, call.mcp_server) == ("mcp", "jira")


@pytest.mark.parametrize("event, env_name, expected", [
    ({"sessionId": "s1", "timestamp": 1, "cwd": "", "reason": "complete"}, "sessionEnd", "sessionEnd"),
    ({"sessionId": "s1", "timestamp": 1, "cwd": ""}, "agentStop", "agentStop"),
    ({"hook_event_name": "SessionEnd", "session_id": "s1", "cwd": ""}, None, "SessionEnd"),
    ({"hook_event_name": "Stop", "session_id": "s1", "cwd": ""}, None, "Stop"),
])
def test_session_events(repo, event, env_name, expected):
    event = {**event, "cwd": str(repo)}
    parsed = A.parse(event, {**env(repo), **({EVENT_ENV: env_name} if env_name else {})})
    assert isinstance(parsed, SessionEvent) and parsed.event == expected and parsed.session_id == "s1"


@pytest.mark.parametrize("bad, message", [
    ("x", "not a JSON object"),
    ({"sessionId": "s1", "cwd": "/"}, "without a toolName"),
    ({"hook_event_name": "PostToolUse", "tool_name": "bash"}, "unsupported hook event"),
    ({"toolName": "bash", "toolArgs": "{oops"}, "not valid JSON"),
    ({"toolName": "bash", "toolArgs": "[]"}, "not a JSON object"),
])
def test_malformed_events_are_refused(bad, message):
    with pytest.raises(AdapterError, match=message):
        A.parse(bad, {})


def test_render_allow_is_an_empty_object(repo):
    call = A.parse(camel(repo, "bash", {"command": "ls"}), env(repo))
    for verdict in ("allow", "observe"):
        out = A.render(Decision(verdict), call)
        assert (out.stdout, out.exit_code) == ("{}", 0)


def test_render_deny_camel_case_is_flat(repo):
    call = A.parse(camel(repo, "bash", {"command": "ls"}), env(repo))
    out = json.loads(A.render(Decision("deny", reason="no"), call).stdout)
    assert out == {"permissionDecision": "deny", "permissionDecisionReason": "no"}


@pytest.mark.parametrize("verdict", ["deny", "ask"])
def test_render_pascal_case_adds_hook_specific_output(repo, verdict):
    call = A.parse(pascal(repo, "run_in_terminal", {"command": "ls"}), env(repo))
    out = json.loads(A.render(Decision(verdict, reason="why"), call).stdout)
    assert out["permissionDecision"] == verdict and out["permissionDecisionReason"] == "why"
    assert out["hookSpecificOutput"] == {"hookEventName": "PreToolUse", "permissionDecision": verdict,
                                         "permissionDecisionReason": "why"}


def test_render_unparsed_event_answers_both_shapes_with_a_reason():
    out = json.loads(A.render(Decision("deny", reason=""), None).stdout)
    assert out["permissionDecision"] == "deny" and out["permissionDecisionReason"]
    assert out["hookSpecificOutput"]["permissionDecision"] == "deny"


CMD = "/opt/v/bin/vectimus hook --agent copilot"


def test_install_writes_its_own_file_idempotently(tmp_path):
    path = tmp_path / ".github" / "hooks" / "vectimus.json"
    assert A.install(tmp_path, CMD, ci=True) == [path]
    A.install(tmp_path, CMD, ci=True)
    config = json.loads(path.read_text())
    assert config["version"] == 1 and set(config["hooks"]) == {"preToolUse", "sessionEnd", "agentStop"}
    assert config["hooks"]["preToolUse"] == [{"type": "command", "bash": CMD, "cwd": ".", "timeoutSec": 30}]
    assert config["hooks"]["agentStop"][0]["env"] == {EVENT_ENV: "agentStop"}
    assert A.installed_commands(tmp_path) == [CMD]


def test_install_and_uninstall_keep_other_hooks_in_the_file(tmp_path):
    path = tmp_path / ".github" / "hooks" / "vectimus.json"
    path.parent.mkdir(parents=True)
    theirs = {"type": "command", "bash": "./audit.sh", "timeoutSec": 5}
    path.write_text(json.dumps({"version": 1, "hooks": {"preToolUse": [theirs]}}))
    A.install(tmp_path, CMD, ci=False)
    assert json.loads(path.read_text())["hooks"]["preToolUse"][0] == theirs
    assert A.uninstall(tmp_path) == [path]
    assert json.loads(path.read_text()) == {"version": 1, "hooks": {"preToolUse": [theirs]}}
    assert A.uninstall(tmp_path) == []


def test_uninstall_removes_the_emptied_file(tmp_path):
    A.install(tmp_path, CMD, ci=True)
    A.uninstall(tmp_path)
    assert not (tmp_path / ".github" / "hooks" / "vectimus.json").exists()
    assert A.installed_commands(tmp_path) == []


def test_detect_and_canary(tmp_path):
    home = tmp_path / "home"
    assert not A.detect(tmp_path, home)
    (home / ".copilot").mkdir(parents=True)
    assert A.detect(tmp_path, home)
    canary = A.parse(A.canary_event(tmp_path), {})
    assert canary.kind == "shell" and canary.command == "rm -rf /"


CAPTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "captures"


@pytest.mark.parametrize("kind", ["bash", "file-tools", "mcp-and-subagent"])
def test_one_copilot_cli_call_reads_the_same_in_both_shapes(repo, kind):
    """Copilot CLI 1.0.102 sent each call in both shapes (captured): the ToolCalls must agree, so a
    call that reaches two hooks is one call (same tool, input, session and id)."""
    def load(shape):
        text = (CAPTURES / f"copilot-1.0.102-{shape}-{kind}.json").read_text()
        data = json.loads(text.replace("/home/dev/app", str(repo)))
        return data if isinstance(data, list) else [data]

    for camel_event, pascal_event in zip(load("preToolUse-camel"), load("PreToolUse-pascal"), strict=True):
        a, b = A.parse(camel_event, env(repo)), A.parse(pascal_event, env(repo))
        same = ("tool", "kind", "command", "paths", "content", "prompt", "mcp_server", "mcp_tool",
                "arguments", "session_id", "tool_use_id", "cwd")
        assert [getattr(a, f) for f in same] == [getattr(b, f) for f in same]
        assert a.tool_use_id.startswith("copilot-2026-11-29T12:26:")
