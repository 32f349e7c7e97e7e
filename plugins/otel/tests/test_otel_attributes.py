"""Attribute names are the semantic conventions' own; provenance is read without running git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from opentelemetry.semconv._incubating.attributes import (
    cicd_attributes, gen_ai_attributes, session_attributes, vcs_attributes,
)

from vectimus_otel import attributes as attrs
from vectimus_otel.provenance import from_git, provenance
from vectimus_otel.signed import Signed

CONVENTIONS = {getattr(module, name) for module in (cicd_attributes, gen_ai_attributes, session_attributes,
                                                     vcs_attributes) for name in dir(module) if name.isupper()}


def test_every_non_vectimus_attribute_is_a_semantic_convention():
    assert set(attrs.SEMCONV.values()) <= CONVENTIONS
    record = {"receipt": {"time": "2026-01-31T09:15:02.123456Z", "agent": "claude", "session": "s", "tool_use": "t",
                          "decision": "deny", "policies": ["p-1"], "call": {"tool": "Bash", "kind": "shell"},
                          "actions": [{"kind": "exec", "resource": "rm", "decision": "deny"}]},
              "origin": {"repository": "https://github.com/acme/app", "run_id": "7", "job": "agent"}}
    names = set(attrs.attributes(record, Signed("log", 3, "d" * 64, "k" * 64)))
    assert {n for n in names if not n.startswith("vectimus.")} <= CONVENTIONS
    assert {"vectimus.receipt.seq", "vectimus.receipt.digest", "vectimus.log.id", "vectimus.key.id",
            "vectimus.decision", "vectimus.policy.ids", "vectimus.actions"} <= names
    assert attrs.time_ns(record) == 1769850902123456000


def test_trace_ids_are_valid_and_stable():
    record = {"receipt": {"time": "t", "agent": "claude", "session": "s1", "tool_use": "u"}}
    trace, span, parent = attrs.trace_ids(record)
    assert 0 < trace < 1 << 128 and 0 < span < 1 << 64 and parent is None
    assert attrs.trace_ids(record) == (trace, span, None)
    other = attrs.trace_ids({"receipt": {**record["receipt"], "tool_use": "v"}})
    assert other[0] == trace and other[1] != span


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
