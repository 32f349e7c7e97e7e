"""`vectimus init` / `remove` / `status`: merged configs, idempotence, clean removal."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from vectimus.adapter import is_vectimus_command


def settings(project) -> dict:
    return json.loads((project.root / ".claude" / "settings.json").read_text())


def test_init_merges_with_existing_settings_and_is_idempotent(project):
    path = project.root / ".claude" / "settings.json"
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
    path = project.root / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"model": "opus"}))
    project.init()
    project.run("vectimus", "remove")
    assert json.loads(path.read_text()) == {"model": "opus"}


def test_remove_deletes_a_settings_file_that_only_held_our_hooks(project):
    project.init()
    project.run("vectimus", "remove")
    assert not (project.root / ".claude" / "settings.json").exists()


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
