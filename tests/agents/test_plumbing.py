"""The harness itself: the real CLIs call a project hook whose answer decides, offline.

A throwaway hook script (not Vectimus) records the payload and answers allow or deny, so these
tests show that the mock model, the CLI install and the side-effect checks work independently
of Vectimus: if they fail, the scenario tests cannot be trusted either way. Every CLI is also
watched (strace) to connect to nothing but the loopback mock.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.agents.harness import CASES, Agent, cli_exe
from tests.support.agents.mockmodel import ToolUse

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


@pytest.fixture(params=[case for case in CASES if case[0] in ("claude", "codex")],
                ids=lambda case: "-".join(case))
def bare(request, project) -> Agent:
    """Claude Code or Codex in a project without Vectimus."""
    name, version = request.param
    return Agent(name, cli_exe(name, version), version, project)


def touch_call(agent: Agent) -> ToolUse:
    return agent.speaks.shell("touch made.txt")


@pytest.mark.parametrize("deny", [True, False], ids=["deny", "allow"])
def test_the_hook_decides_whether_the_tool_runs(bare, deny):
    throwaway_hook(bare, deny)
    session = bare.session([[touch_call(bare)]], permission_mode="bypassPermissions", expect_receipts=0)
    assert (bare.root / "made.txt").exists() is not deny
    seen = payloads(bare)
    assert [p["tool_name"] for p in seen] == ["Bash"]
    assert seen[0]["tool_input"]["command"] == "touch made.txt"
    assert seen[0]["tool_use_id"] == session.model.call_id(0, 0, "toolu_" if bare.name == "claude" else "call_")
    assert ("DENIED-BY-TEST-HOOK" in session.result(0).text) is deny


@pytest.mark.parametrize("deny", [True, False], ids=["deny", "allow"])
def test_the_hook_decides_whether_an_mcp_call_reaches_the_server(bare, deny):
    throwaway_hook(bare, deny)
    bare.declare_mcp_server("testsrv")
    session = bare.session(bare.speaks.mcp("testsrv", "list_issues", {"repo": "acme/app"}),
                           permission_mode="bypassPermissions", expect_receipts=0)
    assert [(c["name"], c["arguments"]) for c in session.mcp_calls()] == (
        [] if deny else [("list_issues", {"repo": "acme/app"})])
    assert [p["tool_name"] for p in payloads(bare)] == ["mcp__testsrv__list_issues"]


def test_the_cli_connects_to_nothing_but_loopback(agent):
    """Offline by construction: every inet socket the CLI (and its children, the hook among them)
    opens is the mock's on 127.0.0.1."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed: cannot watch the CLI's connect() calls")
    trace = agent.home / "connect.trace"
    # started outside the trace: a daemon the hook started would keep strace waiting for it
    agent.project.run("vectimus", "daemon", "start")
    session = agent.session([[touch_call(agent)]],
                            wrapper=[strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace)])
    assert (agent.root / "made.txt").exists(), session.run.describe()
    calls = [line for line in trace.read_text().splitlines() if "connect(" in line]
    inet = [line for line in calls if "AF_INET" in line]
    assert inet, f"no inet connect() seen at all:\n{calls}"
    port = session.model.base_url.rsplit(":", 1)[1]
    outside = [line for line in inet
               if not ('inet_addr("127.0.0.1")' in line and f"htons({port})" in line)]
    assert outside == []
