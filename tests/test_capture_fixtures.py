"""Real hook payloads captured from the agent CLIs parse into the ToolCalls we expect.

The fixtures (tests/fixtures/captures/) are what Claude Code 2.1.197 and Codex CLI 0.169.0
actually sent to a command hook; if an adapter misreads them, every policy is moot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectimus_claude import ClaudeAdapter
from vectimus_codex import CodexAdapter

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
ADAPTERS = {"claude-code": ClaudeAdapter(), "codex-cli": CodexAdapter()}


def load(name: str) -> dict:
    return json.loads((CAPTURES / name).read_text(encoding="utf-8"))


def adapter_for(name: str):
    return next(a for prefix, a in ADAPTERS.items() if name.startswith(prefix + "-"))


EXPECTED = {
    "claude-code-2.1.197-Bash.json":
        dict(kind="shell", command="rm -rf ~/important", permission_mode="default"),
    "claude-code-2.1.197-Bash_bypassPermissions.json":
        dict(kind="shell", command="rm -rf ~/important", permission_mode="bypassPermissions"),
    "claude-code-2.1.197-Edit.json":
        dict(kind="file_write", paths=("/home/dev/app/README.md",), content="hello world"),
    "claude-code-2.1.197-Read.json":
        dict(kind="file_read", paths=("/home/dev/app/.env",)),
    "claude-code-2.1.197-WebFetch.json":
        dict(kind="web_fetch", url="https://example.com/"),
    "claude-code-2.1.197-Write.json":
        dict(kind="file_write", paths=("/home/dev/app/.github/workflows/x.yml",),
             content="on: push\njobs: {}\n"),
    "claude-code-2.1.197-mcp__testsrv__delete_repo.json":
        dict(kind="mcp", mcp_server="testsrv", mcp_tool="delete_repo",
             arguments={"repo": "acme/prod"}),
    "codex-cli-0.169.0-Bash.json":
        dict(kind="shell", command="echo pwn > /home/dev/app/pwned.txt",
             permission_mode="bypassPermissions"),
    "codex-cli-0.169.0-apply_patch.json":
        dict(kind="file_write", paths=("/home/dev/app/made.txt",), content="hello"),
    "codex-cli-0.169.0-mcp__testsrv__list_issues.json":
        dict(kind="mcp", mcp_server="testsrv", mcp_tool="list_issues",
             arguments={"repo": "acme/prod"}),
}


def test_every_capture_has_an_expectation():
    assert sorted(p.name for p in CAPTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_capture_parses_as_expected(name):
    payload = load(name)
    call = adapter_for(name).parse(payload, {})
    assert call.agent == adapter_for(name).name
    assert call.tool == payload["tool_name"]
    assert call.cwd == "/home/dev/app"
    assert call.session_id == payload["session_id"]
    assert call.tool_use_id == payload["tool_use_id"]
    assert call.event == "PreToolUse"
    for field, value in EXPECTED[name].items():
        assert getattr(call, field) == value, field


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_capture_with_a_tool_input_of_the_wrong_type_is_refused(name):
    from vectimus.adapter import AdapterError

    payload = load(name) | {"tool_input": "not an object"}
    with pytest.raises(AdapterError):
        adapter_for(name).parse(payload, {})
