"""Real hook payloads captured from the agent CLIs parse into the ToolCalls we expect.

The fixtures (tests/fixtures/captures/) are what the real CLIs sent to a command hook (one event,
a list of events, or JSON lines); if an adapter misreads them, every policy is moot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectimus.adapter import AdapterError
from vectimus.plugins import find_agent

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
# Capture file prefix -> the adapter that reads it.
AGENTS = {"claude": "claude", "codex-cli": "codex", "copilot": "copilot", "gemini": "gemini",
          "factory-droid": "droid", "opencode": "opencode"}
APP = "/home/dev/app"


def events(name: str) -> list[dict]:
    text = (CAPTURES / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def adapter_for(name: str):
    prefix = next(p for p in AGENTS if name.startswith(p + "-"))
    return find_agent(AGENTS[prefix])


# One entry per captured event: the ToolCall fields it must produce.
EXPECTED: dict[str, list[dict]] = {
    "claude-code-2.1.197-Bash.json": [
        dict(tool="Bash", kind="shell", command="rm -rf ~/important", permission_mode="default")],
    "claude-code-2.1.197-Bash_bypassPermissions.json": [
        dict(kind="shell", command="rm -rf ~/important", permission_mode="bypassPermissions")],
    "claude-code-2.1.197-Edit.json": [
        dict(kind="file_write", paths=(f"{APP}/README.md",), content="hello world")],
    "claude-code-2.1.197-Read.json": [dict(kind="file_read", paths=(f"{APP}/.env",))],
    "claude-code-2.1.197-WebFetch.json": [dict(kind="web_fetch", url="https://example.com/")],
    "claude-code-2.1.197-Write.json": [
        dict(kind="file_write", paths=(f"{APP}/.github/workflows/x.yml",), content="on: push\njobs: {}\n")],
    "claude-code-2.1.197-mcp__testsrv__delete_repo.json": [
        dict(kind="mcp", mcp_server="testsrv", mcp_tool="delete_repo", arguments={"repo": "acme/prod"})],
    "claude-2.1.332-PreToolUse-command-Bash-Write.json": [
        dict(tool="Bash", kind="shell", command="echo hi", tool_use_id="toolu_2fc35d6a4fb9"),
        dict(tool="Write", kind="file_write", paths=(f"{APP}/new.txt",), content="hello\n")],
    "codex-cli-0.169.0-Bash.json": [
        dict(kind="shell", command="echo pwn > /home/dev/app/pwned.txt", permission_mode="bypassPermissions",
             tool_use_id="call_f623bc38")],
    "codex-cli-0.169.0-apply_patch.json": [
        dict(kind="file_write", paths=(f"{APP}/made.txt",), content="hello")],
    "codex-cli-0.169.0-mcp__testsrv__list_issues.json": [
        dict(kind="mcp", mcp_server="testsrv", mcp_tool="list_issues", arguments={"repo": "acme/prod"})],
}
# Copilot CLI 1.0.102 sent each call in both shapes: the same ToolCalls from either.
COPILOT = {
    "bash": [dict(tool="bash", kind="shell", command="echo hi > hi.txt",
                  tool_use_id="copilot-2026-11-29T12:26:21.413Z")],
    "file-tools": [
        dict(tool="create", kind="file_write", paths=(f"{APP}/notes/new.txt",), content="hello from mock\n"),
        dict(tool="view", kind="file_read", paths=(f"{APP}/existing.txt",)),
        dict(tool="edit", kind="file_write", paths=(f"{APP}/existing.txt",), content="bye"),
        dict(tool="glob", kind="file_read", paths=(APP,)),
        dict(tool="grep", kind="file_read", paths=(APP,)),
        dict(tool="create", kind="file_write", paths=("rel.txt",), content="relative\n")],
    "mcp-and-subagent": [
        dict(kind="mcp", mcp_server="echo", mcp_tool="echo_text", arguments={"text": "hi"}),
        dict(tool="task", kind="spawn", prompt="list files"),
        dict(kind="mcp", mcp_server="echo", mcp_tool="echo_text", session_id="63c1f02a-c575-4536-a9f6-5ba7fc59c7cb"),
        dict(tool="task", kind="spawn", prompt="list files")],
}
for _group, _calls in COPILOT.items():
    EXPECTED[f"copilot-1.0.102-preToolUse-camel-{_group}.json"] = _calls
    EXPECTED[f"copilot-1.0.102-PreToolUse-pascal-{_group}.json"] = _calls

EXPECTED.update({
    "gemini-0.61.0-BeforeTool-run_shell_command.json": [dict(tool="run_shell_command", kind="shell", command="echo hi")],
    "gemini-0.61.0-BeforeTool-run_shell_command-dir_path.json": [
        dict(kind="shell", command="cat existing.txt > copy.txt", cwd=f"{APP}/notes")],
    "gemini-0.61.0-BeforeTool-write_file.json": [
        dict(kind="file_write", paths=("notes/new.txt",), content="hello from mock\n")],
    "gemini-0.61.0-BeforeTool-replace.json": [
        dict(kind="file_write", paths=(f"{APP}/existing.txt",), content="bye")],
    "gemini-0.61.0-BeforeTool-read_file.json": [dict(kind="file_read", paths=("existing.txt",))],
    "gemini-0.61.0-BeforeTool-glob.json": [dict(kind="file_read", paths=(APP,))],
    "gemini-0.61.0-BeforeTool-grep_search.json": [dict(kind="file_read", paths=(APP,))],
    "gemini-0.61.0-BeforeTool-list_directory.json": [dict(kind="file_read", paths=(".",))],
    "gemini-0.61.0-BeforeTool-web_fetch.json": [dict(kind="web_fetch", url="https://example.com/page")],
    "gemini-0.61.0-BeforeTool-google_web_search.json": [dict(kind="web_search", query="vectimus")],
    "gemini-0.61.0-BeforeTool-mcp.json": [
        dict(kind="mcp", mcp_server="echo", mcp_tool="echo_text", arguments={"text": "hi"})],
    "factory-droid-0.225.2-PreToolUse-Execute-Create-Read-Edit.json": [
        dict(tool="Execute", kind="shell", command="echo hi > hi.txt", permission_mode="auto-high"),
        dict(tool="Create", kind="file_write", paths=(f"{APP}/new.txt",), content="hello\n"),
        dict(tool="Read", kind="file_read", paths=(f"{APP}/new.txt",)),
        dict(tool="Edit", kind="file_write", paths=(f"{APP}/new.txt",), content="bye")],
    "opencode-1.18.33-vectimus-plugin-payloads.jsonl": [
        dict(tool="write", kind="file_write", paths=(f"{APP}/notes/new.txt",), tool_use_id="call_44f4a62d7bde"),
        dict(tool="read", kind="file_read", paths=(f"{APP}/existing.txt",)),
        dict(tool="edit", kind="file_write", content="bye"),
        dict(tool="glob", kind="file_read", paths=(APP,)),
        dict(tool="grep", kind="file_read", paths=(APP,)),
        dict(tool="webfetch", kind="web_fetch", url="http://127.0.0.1:8787/page"),
        dict(kind="mcp", mcp_server="echo", mcp_tool="echo_text"),
        dict(tool="write", kind="file_write", paths=("rel.txt",)),
        dict(tool="bash", kind="shell", command="cat existing.txt", cwd=f"{APP}/notes")],
})
CASES = [(name, i) for name in sorted(EXPECTED) for i in range(len(EXPECTED[name]))]


def test_every_capture_has_an_expectation():
    captured = sorted(p.name for p in CAPTURES.iterdir() if p.suffix in (".json", ".jsonl"))
    assert captured == sorted(EXPECTED)
    assert {name: len(events(name)) for name in captured} == {n: len(c) for n, c in EXPECTED.items()}


@pytest.fixture
def home(tmp_path) -> Path:
    """The user's home as the captures' CLIs had it: the MCP server ``echo`` declared for each."""
    servers = {"mcpServers": {"echo": {"command": "python3", "args": [APP]}}}
    (tmp_path / ".copilot").mkdir()
    (tmp_path / ".copilot" / "mcp-config.json").write_text(json.dumps(servers))
    return tmp_path


@pytest.mark.parametrize("name, index", CASES)
def test_capture_parses_as_expected(name, index, home):
    event = events(name)[index]
    adapter = adapter_for(name)
    call = adapter.parse(event, {"HOME": str(home)})
    assert call.agent == adapter.name and call.cwd == EXPECTED[name][index].get("cwd", APP)
    session = event.get("session_id") or event.get("sessionId")
    assert call.session_id == session
    for field, value in EXPECTED[name][index].items():
        assert getattr(call, field) == value, field


@pytest.mark.parametrize("name, index", CASES)
def test_capture_with_a_tool_input_of_the_wrong_type_is_refused(name, index, home):
    event, env = events(name)[index], {"HOME": str(home)}
    key = next(k for k in ("tool_input", "toolArgs") if k in event)
    if adapter_for(name).name in ("copilot", "opencode") and adapter_for(name).parse(event, env).kind == "mcp":
        pytest.skip("an MCP tool's odd arguments are read leniently here: the server's own business")
    with pytest.raises(AdapterError):
        adapter_for(name).parse(event | {key: [1, 2]}, env)
