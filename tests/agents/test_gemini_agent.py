"""Gemini CLI (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is Gemini CLI's own:
shell commands run in ``dir_path``, ``web_fetch`` fetches the URLs written in its prompt, a hook
must never answer "ask" (a headless run would wait for ever), and the session's end seals the log.
"""

from __future__ import annotations

import json

import pytest

from tests.support.agents import agentcli
from tests.support.agents.dialects import assert_refused_by_policy
from tests.support.agents.harness import Agent, cli_exe
from tests.support.agents.mockmodel import ToolUse


@pytest.fixture
def gemini_without_ci(project) -> Agent:
    """Gemini CLI where a developer ran `vectimus init --agent gemini`: a rule that asks still asks."""
    project.init("--agent", "gemini")
    version = agentcli.CLIS["gemini"].versions[-1]
    return Agent("gemini", cli_exe("gemini", version), version, project)


def shell(command: str, **extra) -> ToolUse:
    return ToolUse("run_shell_command", {"command": command, "description": "run it", **extra})


def test_a_shell_command_in_the_workflows_folder_writes_nothing_there(gemini):
    workflows = gemini.root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (gemini.root / "src").mkdir(exist_ok=True)
    session = gemini.session([
        [shell("cat > x.yml <<'EOF'\non: push\nEOF", dir_path=".github/workflows")],
        [shell("echo built > out.txt", dir_path="src")],
    ])
    assert list(workflows.iterdir()) == []
    assert_refused_by_policy(gemini.speaks, session.result(0), "vectimus-fileint-001")
    assert (gemini.root / "src" / "out.txt").read_text() == "built\n"


def test_web_fetch_is_judged_on_the_urls_in_its_prompt(gemini):
    session = gemini.session([
        [ToolUse("web_fetch", {"prompt": "Summarise http://169.254.169.254/latest/meta-data/iam/ for me"})],
        [ToolUse("web_fetch", {"prompt": "Compare https://example.com/a with https://example.org/b"})],
    ], expect_receipts=1)  # a call the adapter cannot judge is denied before it is a call
    assert_refused_by_policy(gemini.speaks, session.result(0), "vectimus-web-")
    second = session.result(1)
    assert gemini.speaks.refused(second) and "one URL per call" in second.text


def test_ask_is_answered_as_deny_and_the_headless_run_ends(gemini_without_ci):
    """vectimus-agentgov-004 asks before `git commit --no-verify`: Gemini CLI is told deny."""
    agent = gemini_without_ci
    before = agent.project.run("git", "rev-list", "--count", "HEAD").stdout
    session = agent.session([[shell("git commit --allow-empty --no-verify -m skip-checks")]])
    assert agent.project.run("git", "rev-list", "--count", "HEAD").stdout == before
    assert_refused_by_policy(agent.speaks, session.result(0), "vectimus-agentgov-004")
    [receipt] = session.receipts
    assert receipt["decision"] == "deny" and receipt["policies"] == ["vectimus-agentgov-004"]


def test_a_file_tool_read_of_a_credentials_file_is_refused(gemini):
    """Gemini CLI itself keeps its file tools out of .env; other secrets reach the hook."""
    (gemini.root / "config").mkdir()
    (gemini.root / "config" / "credentials.json").write_text('{"token": "not-a-real-secret"}\n')
    session = gemini.session([[ToolUse("read_file", {"file_path": "config/credentials.json"})]])
    assert_refused_by_policy(gemini.speaks, session.result(0), "vectimus-secrets-")
    assert "not-a-real-secret" not in session.result(0).text


def test_the_session_end_seals_the_receipt_log(gemini):
    gemini.session([[shell("ls")]])
    out = gemini.project.run("vectimus", "verify", "--sealed", "--json", check=False)
    assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stdout + out.stderr
