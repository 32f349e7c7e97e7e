"""Provenance: where a decision was made, read from the CI's variables or the checkout (no git process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from vectimus.provenance import from_git, machine, origin, provenance


def test_provenance_from_a_checkout_and_from_ci(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = {"cwd": repo, "check": True, "capture_output": True}
    subprocess.run(["git", "init", "-q", "-b", "work"], **git)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "--allow-empty", "-m", "x"],
                   **git)
    subprocess.run(["git", "remote", "add", "origin", "https://x-access-token:ghs_secret@github.com/acme/app.git"],
                   **git)
    head = subprocess.run(["git", "rev-parse", "HEAD"], text=True, **git).stdout.strip()
    found = from_git(repo)
    assert found == {"repository": "https://github.com/acme/app.git", "repository_name": "acme/app",
                     "revision": head, "ref": "work"}
    subprocess.run(["git", "pack-refs", "--all"], **git)  # the branch now lives in packed-refs only
    assert from_git(repo)["revision"] == head
    worktree = tmp_path / "linked"
    subprocess.run(["git", "worktree", "add", "-q", "-b", "side", str(worktree)], **git)
    assert from_git(worktree)["ref"] == "side" and from_git(worktree)["revision"] == head
    ci = provenance({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/app", "GITHUB_RUN_ID": "9",
                     "GITHUB_SHA": "abc", "GITHUB_REF_NAME": "main", "GITHUB_JOB": "agent"}, repo)
    assert ci == {"repository": "https://github.com/acme/app", "repository_name": "acme/app", "revision": "abc",
                  "ref": "main", "run_id": "9", "run_url": "https://github.com/acme/app/actions/runs/9",
                  "job": "agent"}
    assert from_git(tmp_path) == {}


def test_the_resident_evaluator_remembers_a_checkout_until_it_changes(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = {"cwd": repo, "check": True, "capture_output": True, "text": True}
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "--allow-empty", "-m", "x"]
    subprocess.run(["git", "init", "-q", "-b", "main"], **git)
    subprocess.run(commit, **git)
    first = subprocess.run(["git", "rev-parse", "HEAD"], **git).stdout.strip()
    assert [from_git(repo, remember=True)["revision"] for _ in range(3)] == [first] * 3
    subprocess.run(commit, **git)
    second = subprocess.run(["git", "rev-parse", "HEAD"], **git).stdout.strip()
    assert from_git(repo, remember=True)["revision"] == second != first
    subprocess.run(["git", "checkout", "-q", "-b", "topic"], **git)
    assert from_git(repo, remember=True)["ref"] == "topic"
    subprocess.run(["git", "remote", "add", "origin", "git@github.com:acme/tools.git"], **git)
    assert from_git(repo, remember=True)["repository_name"] == "acme/tools"


def test_origin_adds_the_machine_vectimus_and_every_pack_in_force(tmp_path: Path):
    from vectimus import __version__
    from vectimus.config import load_config
    from vectimus.policies import bundled_packs_dir

    env = {"HOME": str(tmp_path), "USER": "runner", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/app"}
    found = origin(env, tmp_path, load_config(tmp_path, env).data)
    assert found["user"] == "runner" and found["host"] and found["vectimus"] == __version__
    assert found["repository_name"] == "acme/app"
    bundled = {p.name for p in bundled_packs_dir().iterdir() if (p / "pack.toml").is_file()}
    assert set(found["packs"]) <= bundled and "secrets" in found["packs"]
    assert found["packs"]["secrets"]["origin"] == "bundled" and len(found["packs"]["secrets"]["digest"]) == 23
    assert machine({})["user"]  # from the password database when the environment does not say
