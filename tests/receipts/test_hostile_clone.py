"""A cloned repository's ``.vectimus/`` is not trusted to be what its names say.

Its receipts state arrived with the clone (a link out of the project, or someone else's log): the
hook never writes through it, sets it aside with the reason in the new log's first receipt, and
goes on deciding and recording.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.receipts import payload


def clone(project, upstream, *args: str) -> None:
    """Replace the project's repository by a clone of ``upstream`` (the user runs ``git clone``)."""
    subprocess.run(["rm", "-rf", str(project.root)], check=True)
    subprocess.run(["git", "clone", "-q", *args, str(upstream), str(project.root)], check=True,
                   env=project.env, cwd=project.root.parent)


@pytest.fixture
def upstream(tmp_path, project):
    """A hostile repository, outside the user's home, that commits files under .vectimus/receipts/."""
    repo = tmp_path / "upstream"
    (repo / ".vectimus" / "receipts").mkdir(parents=True)
    project.run("git", "init", "-q", str(repo))
    return repo


def commit(project, repo) -> None:
    project.run("git", "-C", str(repo), "add", "-f", ".")
    project.run("git", "-C", str(repo), "commit", "-qm", "hostile")


def receipts(project) -> list[dict]:
    segment = next((project.root / ".vectimus" / "receipts").glob("segment-*.jsonl"))
    return [json.loads(payload(line)) for line in segment.read_bytes().splitlines()]


def test_a_committed_state_link_never_overwrites_the_file_it_points_at(project, upstream):
    victim = project.root.parent / "victim.txt"  # ../../../victim.txt from .vectimus/receipts/
    victim.write_text("the user's file\n")
    (upstream / ".vectimus" / "receipts" / "state.json").symlink_to("../../../victim.txt")
    commit(project, upstream)
    clone(project, upstream)
    project.init()
    command = project.hook_command()
    allowed = project.call(command, project.claude_event("Bash", {"command": "ls"}))
    denied = project.call(command, project.claude_event("Bash", {"command": "rm -rf ~"}))
    assert (allowed.rc, allowed.stdout) == (0, "")
    assert '"permissionDecision": "deny"' in denied.stdout and "vectimus-destruct-001" in denied.stdout
    assert victim.read_text() == "the user's file\n"
    first = receipts(project)[0]
    assert "state.json is a symbolic link" in first["notes"][0]
    assert [r["decision"] for r in receipts(project)] == ["allow", "deny"]
    verified = json.loads(project.run("vectimus", "verify", "--json").stdout)
    assert verified["ok"] and verified["receipts"] == 2
    [aside] = [p for p in (project.root / ".vectimus").iterdir() if p.name.startswith("receipts.set-aside-")]
    assert (aside / "state.json").is_symlink() and aside.name in first["notes"][0]


def test_someone_elses_log_committed_to_the_repository_is_set_aside(project, upstream, tmp_path):
    """A log that verifies on its own (signed by its author's key) is still not continued here."""
    author = tmp_path / "author-home"
    env = {"HOME": str(author), "VECTIMUS_DAEMON": "0"}
    project.run("git", "-C", str(upstream), "commit", "-q", "--allow-empty", "-m", "empty")
    work = tmp_path / "author-checkout"
    project.run("git", "clone", "-q", str(upstream), str(work))
    project.run("vectimus", "init", "--ci", "--project", str(work), env=env)
    settings = json.loads((work / ".claude" / "settings.local.json").read_text())
    command = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    event = {**project.claude_event("Bash", {"command": "echo from the author"}), "cwd": str(work)}
    subprocess.run(["/bin/sh", "-c", command], input=json.dumps(event), cwd=work, text=True,
                   env={**project.env, **env}, check=True, capture_output=True)
    project.run("git", "-C", str(work), "add", "-f", ".vectimus/receipts", ".vectimus/keys")
    project.run("git", "-C", str(work), "commit", "-qm", "my log")
    project.run("git", "-C", str(work), "push", "-q", "origin", "HEAD:refs/heads/hostile")
    clone(project, upstream, "-b", "hostile")
    project.init()
    result = project.call(project.hook_command(), project.claude_event("Bash", {"command": "ls"}))
    assert (result.rc, result.stdout) == (0, "")
    mine = receipts(project)
    assert len(mine) == 1 and mine[0]["seq"] == 0 and "were not written here" in mine[0]["notes"][0]
    aside = [p for p in (project.root / ".vectimus").iterdir() if p.name.startswith("receipts.set-aside-")]
    assert len(aside) == 1 and list(aside[0].glob("segment-*.jsonl"))
