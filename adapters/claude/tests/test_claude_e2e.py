"""Claude Code end to end: `vectimus init --ci`, then the exact installed command, real payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CAPTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "captures"


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
    verdict, reason = decision(installed.call(installed.hook_command(), event))
    assert verdict == "deny"
    assert "vectimus-fileint-001" in reason
    assert "Writes to CI/CD workflow files" in reason  # the policy's description
    assert "Instead:" in reason                        # its suggested alternative


def test_ordinary_write_allowed_silently(installed):
    event = captured("Write", installed)
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
    assert decision(installed.call(installed.hook_command(), event)) == ("allow", "")


def test_ci_agent_with_permissions_bypassed_is_recorded_not_refused(installed):
    """The captures were made with permissions bypassed; `init --ci` makes the identity a CI agent.

    vectimus-agentgov-002 observes by default: the call goes ahead, the receipt and the job summary
    say it would have been blocked; a team can raise it to deny.
    """
    event = captured("Read", installed)
    event["tool_input"]["file_path"] = str(installed.root / "README.md")
    assert event["permission_mode"] == "bypassPermissions"
    assert decision(installed.call(installed.hook_command(), event)) == ("allow", "")
    report = json.loads(installed.run("vectimus", "report", "--format", "json").stdout)
    last = report["entries"][-1]
    assert (last["decision"], last["policies"]) == ("observe", ["vectimus-agentgov-002"])
    assert last["reason"].startswith("Would have been blocked by Vectimus policy vectimus-agentgov-002: ")
    summary = installed.root.parent / "job-summary.md"  # the session ends as in GitHub Actions
    end = {"session_id": event["session_id"], "cwd": str(installed.root), "hook_event_name": "SessionEnd",
           "reason": "exit"}
    assert installed.call(installed.hook_command(), end, env={"GITHUB_STEP_SUMMARY": str(summary)}).rc == 0
    assert "vectimus-agentgov-002" in summary.read_text().partition("**Would have been blocked**")[2]

    installed.run("vectimus", "rule", "enforce", "vectimus-agentgov-002", "--level", "deny")
    event["tool_use_id"] += "-again"  # a new call: the same one is answered as before (one receipt per call)
    verdict, reason = decision(installed.call(installed.hook_command(), event))
    assert verdict == "deny" and reason.startswith("Blocked by Vectimus policy vectimus-agentgov-002: ")


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


def test_skill_shell_commands_are_judged_like_bash(installed):
    """PreSkillShellCommand (Claude Code 2.1.332): a skill's inline `!` command, shaped as captured."""
    event = {**captured("Bash", installed), "hook_event_name": "PreSkillShellCommand",
             "tool_use_id": "toolu_1:preamble-0", "command_name": "cleanup",
             "command_source": "projectSettings", "invoked_by": "model"}
    event["permission_mode"] = "default"
    out = installed.call(installed.hook_command(), event)
    hso = json.loads(out.stdout)["hookSpecificOutput"]
    assert (hso["hookEventName"], hso["permissionDecision"]) == ("PreSkillShellCommand", "deny")
    assert "vectimus-destruct-" in hso["permissionDecisionReason"]
    event["tool_input"] = {"command": "git log --oneline -3"}
    assert decision(installed.call(installed.hook_command(), event)) == ("allow", "")


@pytest.mark.parametrize("source, path", [
    ("local_settings", ".claude/settings.local.json"),
    ("project_settings", ".claude/settings.json"),
    ("skills", ".claude/skills/cleanup/SKILL.md"),
])
def test_a_config_change_during_the_session_is_not_applied(installed, source, path):
    """ConfigChange: a rewrite of the agent's configuration (say, `disableAllHooks`) is blocked."""
    [command] = installed.claude_hooks("ConfigChange")
    event = {"session_id": "s1", "transcript_path": "", "cwd": str(installed.root),
             "hook_event_name": "ConfigChange", "source": source,
             "file_path": str(installed.root / path)}
    out = installed.call(command, event)
    assert out.rc == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["decision"] == "block" and "vectimus-fileint-004" in answer["reason"]
    del event["file_path"]
    assert json.loads(installed.call(command, event).stdout)["decision"] == "block"


def copilot_event(project, tool: str, tool_input: dict) -> dict:
    """What Copilot CLI 1.0.102 sends to a Claude-format hook (captured PascalCase shape)."""
    return {"hook_event_name": "PreToolUse", "session_id": "5c1299d5", "timestamp": "2026-11-29T12:26:21.413Z",
            "cwd": str(project.root), "tool_name": tool, "tool_input": tool_input}


COPILOT_ENV = {"COPILOT_CLI": "1", "COPILOT_PROJECT_DIR": "", "CLAUDE_PROJECT_DIR": ""}


def test_copilot_cli_calls_through_claude_hooks_are_read_as_copilot_calls(installed):
    env = {**COPILOT_ENV, "COPILOT_PROJECT_DIR": str(installed.root), "CLAUDE_PROJECT_DIR": str(installed.root)}
    workflow = {"path": str(installed.root / ".github/workflows/x.yml"), "file_text": "on: push\n"}
    out = installed.call(installed.hook_command(), copilot_event(installed, "Write", workflow), env=env)
    answer = json.loads(out.stdout)
    assert answer["permissionDecision"] == "deny" and "vectimus-fileint-001" in answer["permissionDecisionReason"]
    assert answer["hookSpecificOutput"]["permissionDecision"] == "deny"
    ordinary = {"path": "notes.txt", "file_text": "hi\n"}  # Copilot's own argument names
    out = installed.call(installed.hook_command(), copilot_event(installed, "Write", ordinary), env=env)
    assert json.loads(out.stdout) == {}
    recorded = [(r["agent"], r["call"]["tool"], r["tool_use"], r["decision"]) for r in installed.receipts()]
    stamp = "copilot-2026-11-29T12:26:21.413Z"  # Copilot sends no tool-use id: the call's timestamp
    assert recorded == [("copilot", "create", stamp, "deny"), ("copilot", "create", stamp, "allow")]


def test_claude_code_events_are_never_taken_for_copilot_events(installed):
    """Copilot's shape is recognised by its environment or its payload, Claude Code's never is."""
    event = installed.claude_event("Write", {"file_path": str(installed.root / "a.txt"), "content": "x"})
    assert decision(installed.call(installed.hook_command(), event)) == ("allow", "")
    assert [(r["agent"], r["call"]["tool"]) for r in installed.receipts()] == [("claude", "Write")]
    copilot_shaped = copilot_event(installed, "Write", {"path": "b.txt", "file_text": "x"})
    assert json.loads(installed.call(installed.hook_command(), copilot_shaped).stdout) == {}  # no env needed
    assert installed.receipts()[-1]["agent"] == "copilot"
