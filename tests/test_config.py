"""Configuration precedence, environment overrides, and an untrusted project's limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectimus.config import ConfigError, load_config


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def layout(tmp_path):
    home = tmp_path / "home"
    project = tmp_path / "proj"
    project.mkdir()
    return home, project, {"HOME": str(home)}


def test_defaults(layout):
    home, project, env = layout
    config = load_config(project, env)
    assert (config.mode, config.identity_type, config.groups, config.ci) == ("enforce", "human", (), False)


def test_precedence_user_then_project_then_environment(layout):
    home, project, env = layout
    write(home / ".vectimus" / "config.toml", 'groups = ["user"]\nidentity_type = "agent"\n')
    config = load_config(project, env)
    assert config.groups == ("user",)
    write(project / ".vectimus" / "config.toml", 'groups = ["project"]\n')
    import hashlib
    digest = hashlib.sha256((project / ".vectimus" / "config.toml").read_bytes()).hexdigest()
    write(home / ".vectimus" / "config.toml",
          f'groups = ["user"]\nidentity_type = "agent"\n[trust.projects]\n"{project.resolve()}" = "{digest}"\n')
    assert load_config(project, env).groups == ("project",)
    config = load_config(project, {**env, "VECTIMUS_GROUPS": "ci, deploy", "VECTIMUS_IDENTITY_TYPE": "human"})
    assert config.groups == ("ci", "deploy") and config.identity_type == "human"


def test_ci_environment_makes_the_run_unattended(layout):
    home, project, env = layout
    assert load_config(project, {**env, "GITHUB_ACTIONS": "true"}).ci is True


def test_untrusted_project_can_tighten_but_not_loosen(layout):
    home, project, env = layout
    write(project / ".vectimus" / "config.toml", "\n".join([
        'mode = "observe"', 'groups = ["deploy"]', "ci = true",
        '[packs]', 'disabled = ["destructive-ops"]',
        '[mcp]', 'allowed = ["evil"]',
        '[rules.vectimus-destruct-001]', 'enabled = false',
        '[rules.vectimus-git-001]', 'enforcement = "deny"',
    ]))
    config = load_config(project, env)
    assert not config.trusted
    assert config.mode == "enforce" and config.groups == () and config.ci is True
    assert config.packs_disabled == () and config.mcp_allowed == ()
    assert config.rule_enforcement("vectimus-destruct-001", "deny") == "deny"
    assert config.rule_enforcement("vectimus-git-001", "ask") == "deny"
    assert {"mode", "groups", "packs.disabled", "mcp", "rules.vectimus-destruct-001.enabled"} <= set(config.ignored)


def test_invalid_values_are_errors(layout):
    home, project, env = layout
    write(home / ".vectimus" / "config.toml", 'mode = "yolo"\n')
    with pytest.raises(ConfigError, match="mode"):
        load_config(project, env)
    with pytest.raises(ConfigError, match="identity_type"):
        write(home / ".vectimus" / "config.toml", "")
        load_config(project, {**env, "VECTIMUS_IDENTITY_TYPE": "robot"})


def test_groups_reach_cedar_as_a_set(installed):
    """A project pack allowing deploys only to the deploy group, via VECTIMUS_GROUPS."""
    pack = installed.root / ".vectimus" / "packs" / "deploy"
    pack.mkdir(parents=True)
    (pack / "deploy.cedar").write_text(
        '@id("acme-deploy-001")\n@description("Only the deploy group may run the deploy script")\n'
        'forbid (principal, action == Vectimus::Action::"exec", resource == Vectimus::Program::"deploy.sh")\n'
        'unless { principal.groups.contains("deploy") };\n')
    denied = installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": "./deploy.sh prod"}))
    assert "acme-deploy-001" in json.loads(denied.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    allowed = installed.call(installed.hook_command(), installed.claude_event("Bash", {"command": "./deploy.sh prod"}),
                             env={"VECTIMUS_GROUPS": "ci,deploy"})
    assert (allowed.rc, allowed.stdout) == (0, "")


def test_trust_command_lets_a_reviewed_project_config_loosen(project):
    (project.root / ".vectimus").mkdir()
    (project.root / ".vectimus" / "config.toml").write_text('[mcp]\nallowed = ["github"]\n')
    project.init()  # a config the repository brought along is not trusted by init
    status = json.loads(project.run("vectimus", "status", "--json").stdout)
    assert status["trusted"] is False and status["mcp_allowed"] == []
    project.run("vectimus", "trust", "--yes")
    status = json.loads(project.run("vectimus", "status", "--json").stdout)
    assert status["trusted"] is True and status["mcp_allowed"] == ["github"]
    project.run("vectimus", "trust", "--revoke")
    assert json.loads(project.run("vectimus", "status", "--json").stdout)["trusted"] is False


def test_a_config_and_its_plain_table_read_alike(layout):
    """Receipt sinks get the plain table; a Config handed to the same lookups reads the same."""
    from vectimus.config import config_value

    home, project, env = layout
    write(home / ".vectimus" / "config.toml", "[receipts]\ncheckpoint_every = 7\n")
    config = load_config(project, env)
    assert config_value(config, "receipts.checkpoint_every") == config_value(config.data, "receipts.checkpoint_every") == 7
    assert config_value(config, "keys.signing_key", "none") == "none"
