"""``git branch -D`` of branches holding no work of their own (their tip is HEAD's, another ref's,
or in HEAD's history) is ``merged``, which git-004 allows as it allows ``-d``; anything else, or
anything the call does to the refs first, keeps it counted as work kept only locally."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from tests.support.runs import Tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="no git")


def git(t: Tree, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=t.root,
                   check=True, capture_output=True, env={**t.env, "GIT_CONFIG_NOSYSTEM": "1"})


@pytest.fixture
def repo(tmp_path) -> Tree:
    t = Tree(tmp_path)
    shutil.rmtree(t.root / ".git")
    git(t, "init", "-q", "-b", "main")
    git(t, "commit", "-q", "--allow-empty", "-m", "one")
    return t


def risk(t: Tree, command: str) -> list[str]:
    return [a.risk for a in t.shell(command) if a.kind == "exec" and a.subcommand == "branch"]


def commit_on(t: Tree, branch: str) -> None:
    git(t, "checkout", "-q", "-b", branch)
    git(t, "commit", "-q", "--allow-empty", "-m", branch)
    git(t, "checkout", "-q", "main")


def test_a_branch_at_head_merged_into_it_or_kept_by_another_ref_holds_no_work(repo):
    git(repo, "branch", "fresh")  # never committed to
    assert risk(repo, "git branch -D fresh") == ["merged"]
    commit_on(repo, "feat")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "feat")
    assert risk(repo, "git branch -D feat") == ["merged"]
    commit_on(repo, "pushed")
    git(repo, "update-ref", "refs/remotes/origin/pushed", "pushed")
    assert risk(repo, "git branch -D pushed") == ["merged"]
    assert risk(repo, "git worktree list && git branch -D fresh feat") == ["merged"]


def test_a_branch_with_commits_of_its_own_holds_work(repo):
    commit_on(repo, "feat")
    assert risk(repo, "git branch -D feat") == [""]
    git(repo, "branch", "fresh")
    assert risk(repo, "git branch -D fresh feat") == [""]
    assert risk(repo, "git branch -D nosuch") == [""]


@pytest.mark.parametrize("command", [
    "git checkout -q fresh && git commit -q --allow-empty -m x && git checkout -q main && git branch -D fresh",
    "git commit -q --allow-empty -m x; git branch -D fresh",
    "echo 0000 > .git/refs/heads/fresh && git branch -D fresh",
    "git checkout -q feat && git branch -D fresh; git checkout -b y && git branch -D fresh",
    "git -C . branch -D fresh",
    "GIT_DIR=elsewhere/.git git branch -D fresh",
    "git branch -D \"$B\"",
])
def test_what_the_call_does_first_or_cannot_be_known_keeps_it_work(repo, command):
    git(repo, "branch", "fresh")
    commit_on(repo, "feat")
    assert "merged" not in risk(repo, command)[-1:], command


def test_after_switching_the_branch_is_judged_against_the_new_head(repo):
    commit_on(repo, "feat")
    git(repo, "checkout", "-q", "-b", "other")
    git(repo, "merge", "-q", "--ff-only", "feat")
    git(repo, "checkout", "-q", "main")
    assert risk(repo, "git checkout -q other && git branch -D feat") == ["merged"]
    assert risk(repo, "git checkout -q main && git branch -D other") == ["merged"]  # feat holds it
    assert risk(repo, "git checkout -q main && git branch -D other feat") == [""]  # nothing holds them both
