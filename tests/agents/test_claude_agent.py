"""Claude Code (each pinned version), installed from npm, in a project where `vectimus init --ci` has run.

What every agent is tried with is in ``test_scenarios.py``; here is what is Claude Code's own.
Claude Code runs the way a CI workflow runs it: ``-p`` in the default permission mode with an
``--allowedTools`` list (so the CLI itself would let every call through and only the hook
decides), and the dangerous calls also with ``--permission-mode bypassPermissions``. Each test
asserts on the world afterwards, with an ordinary call in the same session as the control.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.agents.dialects import Claude, assert_refused_by_policy
from tests.support.agents.mockmodel import ToolUse

BYPASS = "bypassPermissions"


def bash(command: str) -> ToolUse:
    return ToolUse("Bash", {"command": command, "description": "run it"})


def assert_denied_by_policy(result, policy: str | None = None) -> None:
    assert_refused_by_policy(Claude(Path()), result, policy)


def assert_ran(session, *steps: int) -> None:
    """The control calls ran: no error came back for them."""
    for step in steps:
        assert not session.result(step).is_error, session.result(step)


def test_recursive_deletes_of_home_data_do_not_happen_even_with_permissions_bypassed(claude):
    important = claude.home / "important"
    important.mkdir()
    (important / "keep.txt").write_text("precious\n")
    session = claude.session([
        [bash("rm -rf ~/important")],
        [bash("cd /tmp && rm -rf ~/important")],
        [bash("bash -c 'rm -rf ~/important'")],
    ], permission_mode=BYPASS)
    assert (important / "keep.txt").read_text() == "precious\n"
    for step in (0, 1, 2):
        assert_denied_by_policy(session.result(step), "vectimus-destruct-")


def test_write_to_ci_workflow_does_not_happen_with_permissions_bypassed(claude):
    workflows = claude.root / ".github" / "workflows"
    session = claude.session([
        [ToolUse("Write", {"file_path": str(workflows / "x.yml"), "content": "on: push\njobs: {}\n"})],
        [bash("mkdir -p .github/workflows && cat > .github/workflows/y.yml <<'EOF'\non: push\nEOF")],
    ], permission_mode=BYPASS)
    assert not (workflows / "x.yml").exists() and not (workflows / "y.yml").exists()
    assert_denied_by_policy(session.result(0), "vectimus-fileint-001")
    assert_denied_by_policy(session.result(1), "vectimus-fileint-001")


def test_agent_cannot_rewrite_its_own_hook_settings(claude):
    settings = claude.root / ".claude" / "settings.local.json"
    before = settings.read_text()
    session = claude.session([
        [ToolUse("Read", {"file_path": str(settings)})],  # Claude Code writes only files it has read
        [ToolUse("Write", {"file_path": str(settings), "content": "{}\n"})],
        [bash("echo '{}' > .claude/settings.local.json")],
        [ToolUse("Write", {"file_path": str(claude.root / "src" / "util.py"), "content": "X = 1\n"})],
    ])
    assert settings.read_text() == before
    assert_denied_by_policy(session.result(1), "vectimus-fileint-004")
    assert_denied_by_policy(session.result(2), "vectimus-fileint-004")
    assert (claude.root / "src" / "util.py").read_text() == "X = 1\n"
    assert_ran(session, 0, 3)


def test_agent_cannot_remove_vectimus_through_the_shell(claude):
    session = claude.session([[bash("vectimus remove")]])
    assert_denied_by_policy(session.result(0), "vectimus-destruct-006")
    assert "--agent claude" in (claude.root / ".claude" / "settings.local.json").read_text()


def test_ordinary_shell_and_file_work_happens(claude):
    readme = claude.root / "README.md"
    session = claude.session([
        [bash("mkdir -p docs && echo 'notes' > docs/notes.txt && git status --short")],
        [ToolUse("Read", {"file_path": str(readme)})],
        [ToolUse("Edit", {"file_path": str(readme), "old_string": "# app", "new_string": "# the app"})],
        [ToolUse("Write", {"file_path": str(claude.root / "src" / "new.py"), "content": "print(1)\n"})],
    ])
    assert (claude.root / "docs" / "notes.txt").read_text() == "notes\n"
    assert readme.read_text() == "# the app\n"
    assert (claude.root / "src" / "new.py").read_text() == "print(1)\n"
    assert "docs/" in session.result(0).text
    assert_ran(session, 0, 1, 2, 3)


def test_a_hook_that_times_out_blocks_the_call_from_2_1_295(claude):
    """``onFailure: block`` as init wrote it; before 2.1.295 a timeout lets the tool run (known gap)."""
    local = claude.root / ".claude" / "settings.local.json"
    settings = json.loads(local.read_text())
    [entry] = settings["hooks"]["PreToolUse"][0]["hooks"]
    entry.update(command="sleep 30 # vectimus hook stand-in that hangs", timeout=2)
    local.write_text(json.dumps(settings))
    claude.session([[bash("touch made.txt")]], expect_receipts=0)
    assert (claude.root / "made.txt").exists() is not claude.at_least("2.1.295")


def test_skill_shell_commands_reach_the_hook(claude):
    """A skill's inline `!` command runs when the skill loads, outside PreToolUse."""
    if not claude.at_least("2.1.332"):
        pytest.skip("2.1.197 has no PreSkillShellCommand: skills' inline commands reach no hook (known gap)")
    skill = claude.root / ".claude" / "skills" / "release"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\nname: release\ndescription: prepare a release\n---\n"
        "Context: !`mkdir -p .github/workflows && echo 'on: push' > .github/workflows/x.yml && echo ok`\n")
    # two receipts: the Skill call, and the skill's own command
    claude.session([[ToolUse("Skill", {"skill": "release"})]], extra_tools=["Skill"], expect_receipts=2)
    assert not (claude.root / ".github" / "workflows" / "x.yml").exists()
    [skill_call] = [r for r in claude.receipts() if r["event"] == "PreSkillShellCommand"]
    assert skill_call["decision"] == "deny" and "vectimus-fileint-001" in skill_call["policies"]


def test_a_settings_rewrite_the_hook_did_not_see_is_not_applied(claude):
    """ConfigChange: a settings file rewritten behind the hook's back does not turn hooks off.

    Another process does the rewrite (the agent's own write, or a script it runs, is refused
    before it runs): it waits for the session's first command, then turns every hook off.
    """
    rewrite = ("import json, pathlib, time\n"
               "go = pathlib.Path('.go')\n"
               "deadline = time.time() + 120\n"
               "while not go.exists() and time.time() < deadline:\n"
               "    time.sleep(0.05)\n"
               "pathlib.Path('.claude/settings.local.json').write_text(json.dumps({'disableAllHooks': True}))\n")
    other = subprocess.Popen([sys.executable, "-c", rewrite], cwd=claude.root)
    try:
        session = claude.session([
            [bash("touch .go && sleep 3")],
            [bash("mkdir -p .github/workflows && echo 'on: push' > .github/workflows/x.yml")],
        ], expect_receipts=3)  # and one for the ConfigChange the hook blocked
    finally:
        other.kill()
        other.wait()
    [change] = [r for r in session.receipts if r["event"] == "ConfigChange"]
    assert change["decision"] == "deny" and "vectimus-fileint-004" in change["policies"]
    assert not (claude.root / ".github" / "workflows" / "x.yml").exists()
    assert_denied_by_policy(session.result(1), "vectimus-fileint-001")
