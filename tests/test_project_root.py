"""One project-root finder for the hook and every command: the nearest directory with ``.git`` or
a project's ``.vectimus``; the user's own Vectimus directory is no project's."""

from __future__ import annotations

import json

from vectimus.install import project_root
from vectimus.layout import find_project_root


def test_the_nearest_repository_or_project_directory(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "pkg").mkdir(parents=True)
    (repo / "tools" / ".vectimus").mkdir(parents=True)
    env = {"HOME": str(tmp_path / "home")}
    assert find_project_root(str(repo / "src" / "pkg"), env=env) == str(repo)
    assert find_project_root(str(repo / "tools"), env=env) == str(repo / "tools")
    assert find_project_root(str(tmp_path), env=env) == str(tmp_path)  # nothing above: the cwd
    assert find_project_root(str(repo / "src"), hint=str(repo / "tools"), env=env) == str(repo / "tools")
    assert project_root(repo / "src" / "pkg") == repo.resolve()


def test_the_users_vectimus_directory_marks_no_project(tmp_path):
    home = tmp_path / "home"
    (home / ".vectimus" / "keys").mkdir(parents=True)
    scratch = home / "scratch" / "notes"
    scratch.mkdir(parents=True)
    assert find_project_root(str(scratch), env={"HOME": str(home)}) == str(scratch)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".vectimus").mkdir(parents=True)
    assert find_project_root(str(elsewhere / ".vectimus"), env={"HOME": str(home)}) == str(elsewhere)
    vectimus_home = {"VECTIMUS_HOME": str(elsewhere / ".vectimus")}
    assert find_project_root(str(elsewhere / ".vectimus"), env=vectimus_home) == str(elsewhere / ".vectimus")


def test_a_command_and_the_hook_agree_on_the_project(installed):
    """A directory under a home that holds ~/.vectimus, with no repository of its own: the hook
    records a call made there in that directory, and a command run there acts on it, never on the
    user's Vectimus directory (whose keys/ holds private keys, and config.toml the user's config)."""
    scratch = installed.home / "scratch"
    scratch.mkdir()
    event = {**installed.claude_event("Bash", {"command": "ls"}), "cwd": str(scratch)}
    assert installed.call(installed.hook_command(), event, {"VECTIMUS_DAEMON": "0"}).rc == 0
    assert list((scratch / ".vectimus" / "receipts").glob("segment-*.jsonl"))
    assert not (installed.home / ".vectimus" / "receipts").exists()
    out = installed.run("vectimus", "init", "--ci", "--agent", "claude", "--json", "--project", str(scratch))
    assert json.loads(out.stdout)["project"] == str(scratch.resolve())
