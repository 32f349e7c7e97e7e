"""``vectimus pack|rule|mode`` edits: unknown names refused, edits not in effect explained,
``rule reset``, temporary overrides (shown by ``status``, honoured by the hook until they expire)."""

from __future__ import annotations

import json
import time
import tomllib
from datetime import datetime, timedelta, UTC

import pytest

RM_HOME = "rm -rf ~"
FORCE_PUSH = "git push --force origin feature/x"  # vectimus-git-002, ask


def _hook(project, command: str) -> str:
    out = project.call(project.hook_command(), project.claude_event("Bash", {"command": command}))
    return (out.json or {}).get("hookSpecificOutput", {}).get("permissionDecision", "allow")


def _config(project) -> dict:
    return tomllib.loads((project.root / ".vectimus" / "config.toml").read_text())


@pytest.fixture
def laptop(project):
    project.init("--agent", "claude")
    return project


def test_unknown_rule_is_refused_unless_forced(laptop):
    before = _config(laptop)
    out = laptop.run("vectimus", "rule", "disable", "vectimus-nope-001", check=False)
    assert out.returncode == 1 and "no policy named vectimus-nope-001" in out.stderr and "--force" in out.stderr
    assert _config(laptop) == before
    typo = laptop.run("vectimus", "rule", "enforce", "vectimus-git-02", "--level", "deny", check=False)
    assert typo.returncode == 1 and "did you mean vectimus-git-002" in typo.stderr
    laptop.run("vectimus", "rule", "disable", "vectimus-nope-001", "--force")
    assert _config(laptop)["rules"]["vectimus-nope-001"] == {"enabled": False}


def test_a_rule_of_a_disabled_pack_can_be_set_and_says_so(laptop):
    laptop.run("vectimus", "pack", "disable", "database")
    out = laptop.run("vectimus", "rule", "enforce", "vectimus-db-001", "--level", "ask")
    assert "pack database is not enabled here" in out.stdout


def test_unknown_and_project_packs_are_refused(laptop):
    assert laptop.run("vectimus", "pack", "disable", "no-such-pack", check=False).returncode == 1
    own = laptop.root / ".vectimus" / "packs" / "mine"
    own.mkdir(parents=True)
    (own / "mine.cedar").write_text('@id("mine-001") @description("nuke")\n'
                                    'forbid (principal, action == Vectimus::Action::"exec", resource)\n'
                                    'when { context.program == "nuke" };\n')
    before = _config(laptop)
    out = laptop.run("vectimus", "pack", "disable", "mine", check=False)
    assert out.returncode == 1 and "always on" in out.stderr and str(own) in out.stderr
    assert _config(laptop) == before


def test_user_edits_shadowed_by_the_project_or_environment_say_so(laptop):
    laptop.run("vectimus", "mode", "enforce")  # the (trusted) project's config sets the mode
    shadowed = laptop.run("vectimus", "mode", "observe", "--user")
    assert "not in effect" in shadowed.stderr and "takes precedence" in shadowed.stderr
    assert laptop.run("vectimus", "mode").stdout.startswith("enforce (from ")
    env = laptop.run("vectimus", "mode", "observe", env={"VECTIMUS_MODE": "enforce"})
    assert "VECTIMUS_MODE=enforce in the environment takes precedence" in env.stderr
    assert laptop.run("vectimus", "mode", env={"VECTIMUS_MODE": "enforce"}).stdout.strip() == (
        "enforce (from VECTIMUS_MODE in the environment)")
    assert laptop.run("vectimus", "mode").stdout.startswith("observe (from ")


def test_mode_without_argument_shows_the_mode(laptop):
    assert laptop.run("vectimus", "mode").stdout.strip() == "enforce (from the default)"
    assert json.loads(laptop.run("vectimus", "mode", "--json").stdout) == {"mode": "enforce", "from": "the default"}


def test_rule_reset_returns_to_the_packs_level(laptop):
    assert _hook(laptop, "git push --force origin feature/x") == "ask"
    laptop.run("vectimus", "rule", "enforce", "vectimus-git-002", "--level", "deny")
    assert _hook(laptop, "git push --force origin feature/x") == "deny"
    out = laptop.run("vectimus", "rule", "reset", "vectimus-git-002")
    assert "vectimus-git-002: reset to ask" in out.stdout
    assert "vectimus-git-002" not in _config(laptop).get("rules", {})
    assert _hook(laptop, "git push --force origin feature/x") == "ask"
    again = laptop.run("vectimus", "rule", "reset", "vectimus-git-002")
    assert "nothing to reset" in again.stdout
    assert laptop.run("vectimus", "rule", "reset", "vectimus-nope-001", check=False).returncode == 1


def test_temporary_disable_is_shown_with_its_expiry(laptop):
    out = laptop.run("vectimus", "rule", "disable", "vectimus-git-002", "--for", "30m")
    assert "vectimus-git-002: disabled until " in out.stdout
    temporary = _config(laptop)["rules"]["vectimus-git-002"]["temporary"]
    assert temporary["enabled"] is False
    left = temporary["until"] - datetime.now(UTC)
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    status = json.loads(laptop.run("vectimus", "status", "--json").stdout)
    [row] = status["temporary_overrides"]
    assert (row["policy"], row["sets"], row["active"]) == ("vectimus-git-002", "disabled", True)
    assert "Temporary: vectimus-git-002 disabled until " in laptop.run("vectimus", "status").stdout
    assert _hook(laptop, FORCE_PUSH) == "allow"
    laptop.run("vectimus", "rule", "enable", "vectimus-git-002")  # ends it at once
    assert "temporary" not in _config(laptop)["rules"]["vectimus-git-002"]
    assert _hook(laptop, FORCE_PUSH) == "ask"


def test_a_temporary_override_expires_on_the_hook_path(laptop):
    """The resident evaluator keeps the config it loaded; the expiry is checked at every call."""
    laptop.run("vectimus", "daemon", "start")
    until = (datetime.now(UTC) + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = laptop.root / ".vectimus" / "config.toml"
    path.write_text(path.read_text() + f'\n[rules.vectimus-git-002]\ntemporary = {{ enabled = false, until = {until} }}\n')
    laptop.run("vectimus", "trust", "--yes")
    assert _hook(laptop, FORCE_PUSH) == "allow"
    time.sleep(max(0.0, (datetime.fromisoformat(until) - datetime.now(UTC)).total_seconds()) + 0.5)
    assert _hook(laptop, FORCE_PUSH) == "ask"
    status = laptop.run("vectimus", "status").stdout
    assert "expired" in status and "vectimus rule reset vectimus-git-002" in status


def test_temporary_enforcement_and_bad_durations(laptop):
    out = laptop.run("vectimus", "rule", "enforce", "vectimus-git-002", "--level", "deny", "--for", "1h30m")
    assert "vectimus-git-002: deny until " in out.stdout
    assert _hook(laptop, "git push --force origin feature/x") == "deny"
    bad = laptop.run("vectimus", "rule", "disable", "vectimus-git-002", "--for", "soon", check=False)
    assert bad.returncode == 2 and "not a duration" in bad.stderr


def test_a_temporary_override_from_an_untrusted_project_is_ignored(project):
    until = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = project.root / ".vectimus" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[rules.vectimus-destruct-001]\ntemporary = {{ enabled = false, until = {until} }}\n')
    project.init("--agent", "claude")
    assert _hook(project, RM_HOME) == "deny"
    status = json.loads(project.run("vectimus", "status", "--json").stdout)
    assert "rules.vectimus-destruct-001.temporary" in status["ignored_from_project"]


def test_a_mode_the_project_ignores_says_why(project):
    config = project.root / ".vectimus" / "config.toml"
    config.parent.mkdir()
    config.write_text("# from the repository\n")
    project.init("--agent", "claude")
    out = project.run("vectimus", "mode", "observe")
    assert "not in effect" in out.stderr and "not trusted" in out.stderr
    assert project.run("vectimus", "mode").stdout.strip() == "enforce (from the default)"
