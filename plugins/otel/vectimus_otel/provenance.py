"""Where a decision was made: repository, commit, branch and CI run, at the moment it was made.

From the CI's own variables (GitHub Actions, GitLab CI) when they are set, else from the
checkout's ``.git`` (read directly: a few small files, no ``git`` process). Standard library only:
it runs in the hook for every exported decision. A remote URL loses any user name or token in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from vectimus_otel.settings import shown


def _github(env: Mapping) -> dict:
    server = env.get("GITHUB_SERVER_URL") or "https://github.com"
    repo, run = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_RUN_ID", "")
    return {"repository": f"{server}/{repo}" if repo else "", "repository_name": repo,
            "revision": env.get("GITHUB_SHA", ""),
            "ref": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME", ""),
            "pipeline": env.get("GITHUB_WORKFLOW", ""), "run_id": run,
            "run_url": f"{server}/{repo}/actions/runs/{run}" if repo and run else "",
            "job": env.get("GITHUB_JOB", "")}


def _gitlab(env: Mapping) -> dict:
    return {"repository": env.get("CI_PROJECT_URL", ""), "repository_name": env.get("CI_PROJECT_PATH", ""),
            "revision": env.get("CI_COMMIT_SHA", ""), "ref": env.get("CI_COMMIT_REF_NAME", ""),
            "pipeline": env.get("CI_PIPELINE_NAME", ""), "run_id": env.get("CI_PIPELINE_ID", ""),
            "run_url": env.get("CI_PIPELINE_URL", ""), "job": env.get("CI_JOB_NAME", "")}


def _read(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(65536)
    except OSError:
        return ""


def git_dirs(project: Path) -> tuple[Path, Path] | None:
    """The checkout's git directory and its common directory (they differ in a linked worktree)."""
    dot = project / ".git"
    if dot.is_dir():
        gitdir = dot
    else:
        text = _read(dot).strip()
        if not text.startswith("gitdir:"):
            return None
        gitdir = (project / text[len("gitdir:"):].strip()).resolve()
    common = _read(gitdir / "commondir").strip()
    return gitdir, (gitdir / common).resolve() if common else gitdir


def _ref_sha(common: Path, gitdir: Path, ref: str) -> str:
    for base in (gitdir, common):
        sha = _read(base / ref).strip()
        if sha:
            return sha
    for line in _read(common / "packed-refs").splitlines():
        sha, _, name = line.partition(" ")
        if name.strip() == ref:
            return sha
    return ""


def _origin(config: str) -> str:
    section = ""
    for line in config.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section.replace(" ", "") == '[remote"origin"]' and line.split("=", 1)[0].strip() == "url":
            return shown(line.split("=", 1)[1].strip())
    return ""


def from_git(project: Path) -> dict:
    """Remote URL, commit and branch of the checkout at ``project`` (empty values when not a checkout)."""
    dirs = git_dirs(project)
    if dirs is None:
        return {}
    gitdir, common = dirs
    head = _read(gitdir / "HEAD").strip()
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch, revision = ref.removeprefix("refs/heads/"), _ref_sha(common, gitdir, ref)
    else:
        branch, revision = "", head
    url = _origin(_read(common / "config"))
    name = url.rstrip("/").removesuffix(".git").replace(":", "/").split("/")[-2:]
    return {"repository": url, "repository_name": "/".join(name) if url else project.name,
            "revision": revision, "ref": branch}


def provenance(env: Mapping, project: Path) -> dict:
    """Repository, commit, branch and run of a decision in ``project`` (only the values known)."""
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_REPOSITORY"):
        found = _github(env)
    elif env.get("GITLAB_CI") == "true":
        found = _gitlab(env)
    else:
        found = from_git(Path(project))
    return {k: v for k, v in found.items() if v}
