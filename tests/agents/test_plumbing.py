"""The harness itself: each real CLI calls a project hook, and its answer decides.

A throwaway hook script (not Vectimus) records the payload and answers allow or deny, so these
tests show that the mock model, the CLI install and the side-effect checks work independently
of Vectimus: if they fail, the scenario tests cannot be trusted either way.
"""

from __future__ import annotations

import json
import shutil

import pytest

from harness import Agent
from mockmodel import ToolUse

DENY = ('{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny",'
        '"permissionDecisionReason":"DENIED-BY-TEST-HOOK"}}')


def throwaway_hook(agent: Agent, deny: bool) -> None:
    """Install a hook that saves each payload and answers deny (or nothing = allow)."""
    script = agent.home / "hook.sh"
    answer = f"echo '{DENY}'" if deny else "true"
    script.write_text(f"#!/bin/sh\ncat > \"{agent.home}/payload-$$.json\"\n{answer}\n")
    script.chmod(0o755)
    config = {"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [
        {"type": "command", "command": str(script), "timeout": 30}]}]}}
    folder = agent.root / (".claude" if agent.name == "claude" else ".codex")
    folder.mkdir(exist_ok=True)
    (folder / ("settings.json" if agent.name == "claude" else "hooks.json")).write_text(json.dumps(config))


def payloads(agent: Agent) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(agent.home.glob("payload-*.json"))]


@pytest.fixture(params=["claude", "codex"])
def bare_agent(request, project) -> Agent:
    exe = request.getfixturevalue(f"{request.param}_exe")
    return Agent(request.param, exe, project.root, project.home)


def touch_call(agent: Agent) -> ToolUse:
    if agent.name == "claude":
        return ToolUse("Bash", {"command": "touch made.txt", "description": "make a file"})
    return ToolUse("exec_command", {"cmd": "touch made.txt"})


@pytest.mark.parametrize("deny", [True, False], ids=["deny", "allow"])
def test_the_hook_decides_whether_the_tool_runs(bare_agent, deny):
    throwaway_hook(bare_agent, deny)
    session = bare_agent.session([[touch_call(bare_agent)]], permission_mode="bypassPermissions")
    assert (bare_agent.root / "made.txt").exists() is not deny
    seen = payloads(bare_agent)
    assert [p["tool_name"] for p in seen] == ["Bash"]
    assert seen[0]["tool_input"]["command"] == "touch made.txt"
    assert seen[0]["tool_use_id"] == session.model.call_id(0, 0)
    assert ("DENIED-BY-TEST-HOOK" in session.result(0).text) is deny


def mcp_steps(agent: Agent) -> list[list[ToolUse]]:
    if agent.name == "claude":
        return [[ToolUse("mcp__testsrv__list_issues", {"repo": "acme/app"})]]
    return [[ToolUse("tool_search", {"query": "testsrv issues"})],
            [ToolUse("list_issues", {"repo": "acme/app"}, namespace="mcp__testsrv")]]


@pytest.mark.parametrize("deny", [True, False], ids=["deny", "allow"])
def test_the_hook_decides_whether_an_mcp_call_reaches_the_server(bare_agent, deny):
    throwaway_hook(bare_agent, deny)
    bare_agent.declare_mcp_server("testsrv")
    session = bare_agent.session(mcp_steps(bare_agent), permission_mode="bypassPermissions")
    assert [(c["name"], c["arguments"]) for c in session.mcp_calls()] == (
        [] if deny else [("list_issues", {"repo": "acme/app"})])
    assert [p["tool_name"] for p in payloads(bare_agent)] == ["mcp__testsrv__list_issues"]


def test_the_cli_connects_to_nothing_but_loopback(bare_agent):
    """Offline by construction: every inet socket the CLI (and its children) opens is 127.0.0.1."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed: cannot watch the CLI's connect() calls")
    throwaway_hook(bare_agent, deny=False)
    trace = bare_agent.home / "connect.trace"
    session = bare_agent.session([[touch_call(bare_agent)]], permission_mode="bypassPermissions",
                                 wrapper=[strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace)])
    assert (bare_agent.root / "made.txt").exists(), session.run.describe()
    calls = [line for line in trace.read_text().splitlines() if "connect(" in line]
    inet = [line for line in calls if "AF_INET" in line]
    assert inet, f"no inet connect() seen at all:\n{calls}"
    port = session.model.base_url.rsplit(":", 1)[1]
    outside = [line for line in inet
               if not ('inet_addr("127.0.0.1")' in line and f"htons({port})" in line)]
    assert outside == []
