"""Claude Code end to end: `vectimus init --ci`, then the exact installed command, real payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CAPTURES = Path(__file__).parent / "fixtures" / "captures"


def captured(name: str, project) -> dict:
    """A real captured Claude Code payload, with its /home/dev paths moved into the test project."""
    text = (CAPTURES / f"claude-code-2.1.197-{name}.json").read_text()
    text = text.replace("/home/dev/app", str(project.root)).replace("/home/dev", str(project.home))
    return json.loads(text)


def decision(result) -> tuple[str, str]:
    assert result.rc == 0, result.stderr
    if not result.stdout:
        return "allow", ""
    out = result.stdout
    assert out.count("\n") <= 1 and json.loads(out), "stdout must be one JSON document"
    hso = json.loads(out)["hookSpecificOutput"]
    assert hso["hookEventName"] == "PreToolUse"
    return hso["permissionDecision"], hso["permissionDecisionReason"]


def test_workflow_write_denied_naming_policy(installed):
    event = captured("Write", installed)
    assert event["tool_input"]["file_path"].endswith(".github/workflows/x.yml")
    event["permission_mode"] = "default"  # bypassPermissions by a CI agent: vectimus-agentgov-002
    verdict, reason = decision(installed.call(installed.hook_command(), event))
    assert verdict == "deny"
    assert "vectimus-fileint-001" in reason
    assert "Writes to CI/CD workflow files" in reason  # the policy's description
    assert "Instead:" in reason                        # its suggested alternative


def test_ordinary_write_allowed_silently(installed):
    event = captured("Write", installed)
    event["permission_mode"] = "default"  # bypassPermissions by a CI agent: vectimus-agentgov-002
    event["tool_input"]["file_path"] = str(installed.root / "src" / "app.py")
    result = installed.call(installed.hook_command(), event)
    assert (result.rc, result.stdout) == (0, "")


def test_vectimus_cli_through_bash_denied(installed):
    event = captured("Bash", installed)
    event["tool_input"]["command"] = "vectimus policy update"
    verdict, reason = decision(installed.call(installed.hook_command(), event))
    assert verdict == "deny" and "vectimus-destruct-006" in reason


@pytest.mark.parametrize("name", ["Edit", "Read", "WebFetch"])
def test_captured_benign_payloads_are_allowed(installed, name):
    event = captured(name, installed)
    if name == "Read":
        event["tool_input"]["file_path"] = str(installed.root / "README.md")
    event["permission_mode"] = "default"  # bypassPermissions by a CI agent: vectimus-agentgov-002
    assert decision(installed.call(installed.hook_command(), event)) == ("allow", "")


def test_ci_agent_with_permissions_bypassed_is_denied(installed):
    """The captures were made with permissions bypassed; `init --ci` makes the identity a CI agent."""
    event = captured("Read", installed)
    event["tool_input"]["file_path"] = str(installed.root / "README.md")
    verdict, reason = decision(installed.call(installed.hook_command(), event))
    assert verdict == "deny" and "vectimus-agentgov-002" in reason


def test_hook_runs_without_the_virtualenv_on_path(installed):
    env = {"PATH": "/usr/bin:/bin"}
    event = captured("Write", installed)
    verdict, _ = decision(installed.call(installed.hook_command(), event, env=env))
    assert verdict == "deny"


@pytest.mark.parametrize("gone", ["hook_script.py", "bin/python"])
def test_hook_that_cannot_start_denies_with_exit_2(installed, gone):
    """A missing Vectimus (or virtualenv) must not fail open: the installed command exits 2 with a reason."""
    assert gone in installed.hook_command()
    command = installed.hook_command().replace(gone, f"{gone}-gone", 1)
    result = installed.call(command, captured("Write", installed))
    assert result.rc == 2 and "Vectimus hook could not run" in result.stderr
    assert result.stdout == ""


def test_session_end_is_answered_silently(installed):
    event = {"session_id": "s", "cwd": str(installed.root), "hook_event_name": "SessionEnd",
             "reason": "exit", "transcript_path": ""}
    result = installed.call(installed.hook_command(), event)
    assert (result.rc, result.stdout) == (0, "")
