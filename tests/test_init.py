"""`vectimus init` / `remove` / `status`: merged configs, idempotence, clean removal."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from vectimus.adapter import is_vectimus_command


def settings(project) -> dict:
    return json.loads(project.claude_settings.read_text())


def test_init_merges_with_existing_settings_and_is_idempotent(project):
    path = project.claude_settings
    path.parent.mkdir()
    existing = {"model": "opus", "permissions": {"allow": ["Bash(npm test)"]},
                "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}],
                          "PostToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "./log.sh"}]}]}}
    path.write_text(json.dumps(existing, indent=2))
    project.init()
    first = path.read_bytes()
    data = json.loads(first)
    assert data["model"] == "opus" and data["permissions"] == existing["permissions"]
    assert data["hooks"]["PostToolUse"] == existing["hooks"]["PostToolUse"]
    commands = [h["command"] for g in data["hooks"]["PreToolUse"] for h in g["hooks"]]
    assert "./lint.sh" in commands and sum("vectimus" in c for c in commands) == 1
    project.init()
    assert path.read_bytes() == first, "running init twice must change nothing"


def test_init_ci_writes_project_config(project):
    project.init()
    text = (project.root / ".vectimus" / "config.toml").read_text()
    assert 'identity_type = "agent"' in text and "ci = true" in text
    assert "allowed = []" in text  # MCP servers discovered but none allowed without --allow-mcp


def test_hook_command_is_recognisably_ours_and_absolute(installed):
    command = installed.hook_command()
    assert is_vectimus_command(command) and "--agent claude" in command
    python, *flags, script = shlex.split(command.split(" --agent ")[0])
    assert Path(python).is_absolute() and Path(script).is_absolute() and flags == ["-I", "-S"]
    assert Path(script).name == "hook_script.py" and Path(script).parent.name == "vectimus"


def test_hook_script_ignores_the_agents_python_variables(installed, tmp_path):
    # -I: a PYTHONPATH (or PYTHONSTARTUP) in the agent's environment cannot run code in the hook
    (tmp_path / "sitecustomize.py").write_text("raise SystemExit('hijacked')\n")
    (tmp_path / "vectimus").mkdir()
    (tmp_path / "vectimus" / "__init__.py").write_text("raise SystemExit('hijacked')\n")
    event = installed.claude_event("Bash", {"command": "rm -rf ~"})
    result = installed.call(installed.hook_command(), event,
                            env={"PYTHONPATH": str(tmp_path), "PYTHONSTARTUP": str(tmp_path / "sitecustomize.py")})
    assert "hijacked" not in result.stderr and '"deny"' in result.stdout


def test_remove_undoes_init_and_keeps_the_rest(project):
    path = project.claude_settings
    path.parent.mkdir()
    path.write_text(json.dumps({"model": "opus"}))
    project.init()
    out = project.run("vectimus", "remove")
    assert json.loads(path.read_text()) == {"model": "opus"}
    assert "removed the Vectimus hooks from .claude/settings.local.json" in out.stdout


def test_remove_deletes_a_settings_file_that_only_held_our_hooks_and_says_so(project):
    project.init()
    out = project.run("vectimus", "remove")
    assert not project.claude_settings.exists()
    assert "deleted .claude/settings.local.json (it held only Vectimus hooks)" in out.stdout
    assert "updated" not in out.stdout


def test_remove_also_cleans_a_hook_an_earlier_version_put_in_the_shared_settings(project):
    shared = project.root / ".claude" / "settings.json"
    shared.parent.mkdir()
    project.init()
    old = json.loads(project.claude_settings.read_text())
    shared.write_text(json.dumps({"model": "opus", **old}))
    assert len(json.loads(project.run("vectimus", "status", "--json").stdout)["hooks"]["claude"]) == 2
    project.run("vectimus", "remove")
    assert json.loads(shared.read_text()) == {"model": "opus"} and not project.claude_settings.exists()


def test_claude_hooks_fail_closed_and_cover_skill_commands_and_config_changes(installed):
    data = settings(installed)
    entries = {event: [h for g in groups for h in g["hooks"]] for event, groups in data["hooks"].items()}
    assert set(entries) == {"PreToolUse", "PreSkillShellCommand", "ConfigChange", "SessionEnd"}
    for event in ("PreToolUse", "PreSkillShellCommand", "ConfigChange"):
        [hook] = entries[event]
        assert hook["onFailure"] == "block" and hook["command"] == installed.hook_command()
    assert "onFailure" not in entries["SessionEnd"][0]  # nothing to block when a session ends


def test_status_json_reports_hooks_and_packs(installed):
    data = json.loads(installed.run("vectimus", "status", "--json").stdout)
    assert data["ci"] is True and data["identity_type"] == "agent" and data["trusted"] is True
    (entry,) = data["hooks"]["claude"]
    assert entry["runs"] is True
    assert "file-integrity" in data["packs"] and data["policies"] >= 3


def test_interactive_init_refuses_without_a_terminal(project):
    out = project.run("vectimus", "init", check=False)
    assert out.returncode != 0 and "--ci" in out.stderr


def test_init_for_an_agent_that_is_not_installed(project):
    out = project.run("vectimus", "init", "--agent", "nosuchagent", check=False)
    assert out.returncode != 0 and "nosuchagent" in out.stderr


def git_status(project) -> list[str]:
    """What git status shows besides the fixture's own untracked .env."""
    lines = project.run("git", "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    return [line for line in lines if line != "?? .env"]


def test_nothing_init_writes_shows_in_git_status(project):
    project.run("vectimus", "init", "--ci")
    assert git_status(project) == []
    # nor anything the hook writes as it records calls
    project.call(project.hook_command(), project.claude_event("Bash", {"command": "ls"}))
    assert (project.root / ".vectimus" / "receipts").is_dir() and git_status(project) == []
    # the exclusions live in the checkout's own .git/info/exclude, not in a file the team shares
    exclude = (project.root / ".git" / "info" / "exclude").read_text()
    assert "/.claude/settings.local.json" in exclude and "/.vectimus/config.toml" in exclude
    project.init()  # twice: the block is not repeated
    assert (project.root / ".git" / "info" / "exclude").read_text() == exclude


def test_a_tracked_shared_settings_file_stays_unmodified(project):
    shared = project.root / ".claude" / "settings.json"
    shared.parent.mkdir()
    shared.write_text('{"permissions": {"allow": ["Bash(npm test)"]}}\n')
    project.run("git", "add", ".claude/settings.json")
    project.run("git", "commit", "-qm", "team settings")
    project.init()
    assert shared.read_text() == '{"permissions": {"allow": ["Bash(npm test)"]}}\n'
    assert git_status(project) == []


def test_a_tracked_hook_file_is_changed_out_of_sight_and_the_user_is_told(project):
    """Cursor has no local hooks file: a team's committed one gets our hook, hidden from git."""
    hooks = project.root / ".cursor" / "hooks.json"
    hooks.parent.mkdir()
    team = '{"version": 1, "hooks": {"stop": [{"command": "./notify.sh"}]}}\n'
    hooks.write_text(team)
    project.run("git", "add", ".cursor/hooks.json")
    project.run("git", "commit", "-qm", "team hooks")
    out = project.run("vectimus", "init", "--ci", "--agent", "cursor", "--json")
    notes = " ".join(json.loads(out.stdout)["notes"])
    assert ".cursor/hooks.json is tracked by git" in notes and "this machine's paths" in notes
    assert "--agent cursor" in hooks.read_text()
    assert git_status(project) == []
    project.run("git", "add", "-A")  # what an agent does before committing
    assert project.run("git", "diff", "--cached", "--name-only").stdout.split() == [".env"]
    project.run("git", "reset", "-q")
    project.run("vectimus", "remove")
    assert hooks.read_text() == team  # byte for byte, and git sees the file again
    assert "S .cursor/hooks.json" not in project.run("git", "ls-files", "-v").stdout
    assert git_status(project) == []


def test_remove_takes_deleted_files_out_of_the_exclusions(project):
    project.init()
    project.run("vectimus", "remove")
    exclude = (project.root / ".git" / "info" / "exclude").read_text()
    assert "/.claude/settings.local.json" not in exclude and "/.vectimus/config.toml" in exclude
    assert git_status(project) == []
