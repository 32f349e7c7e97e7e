"""The OpenCode adapter: the plugin init writes, run for real in a JavaScript runtime, and the
events it sends (as OpenCode 1.18.33 gives them to the plugin)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vectimus.adapter import AdapterError
from vectimus.model import Decision
from vectimus_opencode import PLUGIN_FILE, OpenCodeAdapter, plugin_source

A = OpenCodeAdapter()
APP = "/home/dev/app"
NODE = shutil.which("node")


def event(tool: str, tool_input, **extra) -> dict:
    """What the plugin sends the hook (captured from OpenCode 1.18.33)."""
    return {"hook_event_name": "tool.execute.before", "cwd": APP, "worktree": APP, "tool_name": tool,
            "session_id": "ses_1", "call_id": "call_1", "tool_input": tool_input, **extra}


@pytest.mark.parametrize("tool, args, kind, attr, expected", [
    ("bash", {"command": "rm -rf ~", "description": "d"}, "shell", "command", "rm -rf ~"),
    ("write", {"filePath": "rel.txt", "content": "x"}, "file_write", "paths", ("rel.txt",)),
    ("edit", {"filePath": f"{APP}/a.py", "oldString": "a", "newString": "b"}, "file_write", "content", "b"),
    ("read", {"filePath": f"{APP}/.env"}, "file_read", "paths", (f"{APP}/.env",)),
    ("glob", {"pattern": "**/*.txt"}, "file_read", "paths", (APP,)),
    ("grep", {"pattern": "x", "path": "~/.aws", "include": "*"}, "file_read", "paths", ("~/.aws",)),
    ("list", {"path": "/etc"}, "file_read", "paths", ("/etc",)),
    ("webfetch", {"url": "http://127.0.0.1:8787/page", "format": "text"}, "web_fetch", "url",
     "http://127.0.0.1:8787/page"),
    ("task", {"description": "d", "prompt": "look", "subagent_type": "general"}, "spawn", "prompt", "look"),
    ("apply_patch", {"patchText": "*** Begin Patch\n*** Add File: .github/workflows/x.yml\n+on: push\n*** End Patch"},
     "file_write", "paths", (".github/workflows/x.yml",)),
    ("todowrite", {"todos": []}, "internal", "paths", ()),
])
def test_tools(tool, args, kind, attr, expected):
    call = A.parse(event(tool, args), {})
    assert (call.agent, call.tool, call.kind, call.tool_use_id, call.session_id) == (
        "opencode", tool, kind, "call_1", "ses_1")
    assert getattr(call, attr) == expected and call.arguments == args


def test_shell_runs_in_its_workdir():
    call = A.parse(event("bash", {"command": "cat existing.txt", "workdir": f"{APP}/notes"}), {})
    assert call.cwd == f"{APP}/notes"


def test_mcp_tools_are_server_underscore_tool(tmp_path):
    (tmp_path / "opencode.json").write_text(json.dumps({"mcp": {"my_srv": {"type": "local", "command": ["x"]}}}))
    call = A.parse(event("my_srv_delete_repo", {"repo": "r"}, cwd=str(tmp_path), worktree=str(tmp_path)), {})
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "my_srv", "delete_repo")
    call = A.parse(event("echo_echo_text", {"text": "hi"}), {"HOME": str(tmp_path)})
    assert (call.kind, call.mcp_server, call.mcp_tool) == ("mcp", "echo", "echo_text")
    assert A.parse(event("shiny", {}), {}).kind == "unknown"


@pytest.mark.parametrize("bad", [
    None, event("bash", {"description": "no command"}), event("write", "text"),
    {**event("read", {"filePath": "x"}), "hook_event_name": "tool.execute.after"},
    {k: v for k, v in event("read", {"filePath": "x"}).items() if k != "cwd"},
])
def test_malformed_events_are_adapter_errors(bad):
    with pytest.raises(AdapterError):
        A.parse(bad, {})


def test_answers():
    assert json.loads(A.render(Decision("allow"), None).stdout) == {"decision": "allow"}
    assert json.loads(A.render(Decision("observe"), None).stdout) == {"decision": "allow"}
    for verdict in ("deny", "ask"):
        out = json.loads(A.render(Decision(verdict, reason="vectimus-x-001: no"), None).stdout)
        assert out["decision"] == "deny" and "vectimus-x-001" in out["reason"]


def test_install_writes_the_plugin_and_remove_deletes_it(tmp_path):
    command = "/v/bin/python -I -S '/v/vectimus/hook_script.py' --agent opencode || { echo x >&2; exit 2; }"
    assert A.install(tmp_path, command, ci=True) == [tmp_path / PLUGIN_FILE]
    first = (tmp_path / PLUGIN_FILE).read_text()
    A.install(tmp_path, command, ci=True)
    assert (tmp_path / PLUGIN_FILE).read_text() == first == plugin_source(command)
    assert A.installed_commands(tmp_path) == [command]
    assert A.uninstall(tmp_path) == [tmp_path / PLUGIN_FILE]
    assert not (tmp_path / PLUGIN_FILE).exists() and A.uninstall(tmp_path) == []


# ------------------------------------------------------------ the plugin itself, run under node

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_plugin(tmp_path: Path, hook_body: str, *, timeout_ms: int = 30_000) -> dict:
    """Install the plugin with a stand-in hook command and call its tool.execute.before once."""
    hook = tmp_path / "hook.sh"
    hook.write_text("#!/bin/sh\n" + hook_body + "\n")
    hook.chmod(0o755)
    source = plugin_source(str(hook)).replace("const TIMEOUT_MS = 30000;", f"const TIMEOUT_MS = {timeout_ms};")
    (tmp_path / "plugin.mjs").write_text(source)
    (tmp_path / "run.mjs").write_text(
        "const { VectimusPlugin } = await import('./plugin.mjs');\n"
        f"const hooks = await VectimusPlugin({{ directory: {json.dumps(str(tmp_path))}, worktree: '/w' }});\n"
        "try {\n"
        "  await hooks['tool.execute.before']({ tool: 'bash', sessionID: 's', callID: 'c' }, { args: { command: 'ls' } });\n"
        "  console.log(JSON.stringify({ ran: true }));\n"
        "} catch (e) { console.log(JSON.stringify({ ran: false, error: e.message })); }\n")
    done = subprocess.run([NODE, str(tmp_path / "run.mjs")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@needs_node
def test_the_plugin_sends_the_event_and_lets_an_allowed_call_run(tmp_path):
    sent = tmp_path / "sent.json"
    assert run_plugin(tmp_path, f"cat > {sent}\necho '{{\"decision\": \"allow\"}}'") == {"ran": True}
    assert json.loads(sent.read_text()) == {
        "hook_event_name": "tool.execute.before", "cwd": str(tmp_path), "worktree": "/w", "tool_name": "bash",
        "session_id": "s", "call_id": "c", "tool_input": {"command": "ls"}}


@needs_node
@pytest.mark.parametrize("hook_body, said", [
    ("echo '{\"decision\": \"deny\", \"reason\": \"Blocked by Vectimus policy vectimus-destruct-001\"}'",
     "Blocked by Vectimus policy vectimus-destruct-001"),
    ("echo 'Vectimus hook could not run' >&2; exit 2", "Vectimus hook could not run"),
    ("exit 1", "the hook exited 1"),
    ("echo 'checking...'; echo '{\"decision\": \"allow\"}'", "not JSON"),
    ("echo '{}'", "no reason given"),
    ("echo '{\"decision\": \"allow\"'", "not JSON"),
    ("true", "not JSON"),
    ("kill -9 $$", "Killed"),
], ids=["deny", "exit-2", "exit-1", "noise", "no-decision", "truncated", "silent", "killed"])
def test_the_plugin_throws_on_anything_but_an_allow(tmp_path, hook_body, said):
    out = run_plugin(tmp_path, hook_body)
    assert out["ran"] is False and said in out["error"] and "Vectimus" in out["error"]


@needs_node
def test_the_plugin_throws_when_the_hook_hangs(tmp_path):
    out = run_plugin(tmp_path, "sleep 30", timeout_ms=500)
    assert out == {"ran": False, "error": "Vectimus denied this call: the hook gave no answer within 0.5 s"}


@needs_node
def test_the_plugin_throws_when_the_hook_cannot_start(tmp_path):
    out = run_plugin(tmp_path, "exec /nonexistent/python")
    assert out["ran"] is False and "Vectimus" in out["error"]
