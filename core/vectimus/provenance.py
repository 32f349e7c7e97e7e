"""Where a decision was made: repository, commit, branch and CI run, host and user, at the moment it was made.

From the CI's own variables (GitHub Actions, GitLab CI) when they are set, else from the
checkout's ``.git`` (read directly: a few small files, no ``git`` process). Standard library only:
a receipt sink may call it in the hook for every decision (``vectimus-otel`` does). A remote URL
loses any user name or token in it. ``origin`` adds the machine, Vectimus's version and the packs
in force: what the session-end checkpoint records, and what reports show as a log's provenance.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectimus.config import Config


def without_credentials(url: str) -> str:
    """``url`` without any user name or password in it."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"


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


def _read(path: Path, seen: list) -> str:
    seen.append(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return ""
    try:
        return os.read(fd, 65536).decode("utf-8", "replace")
    except OSError:
        return ""
    finally:
        os.close(fd)


def git_dirs(project: Path, seen: list) -> tuple[Path, Path] | None:
    """The checkout's git directory and its common directory (they differ in a linked worktree)."""
    dot = project / ".git"
    if dot.is_dir():
        gitdir = dot
    else:
        text = _read(dot, seen).strip()
        if not text.startswith("gitdir:"):
            return None
        gitdir = (project / text[len("gitdir:"):].strip()).resolve()
    common = _read(gitdir / "commondir", seen).strip()
    return gitdir, (gitdir / common).resolve() if common else gitdir


def _ref_sha(common: Path, gitdir: Path, ref: str, seen: list) -> str:
    for base in (gitdir, common):
        sha = _read(base / ref, seen).strip()
        if sha:
            return sha
    for line in _read(common / "packed-refs", seen).splitlines():
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
            return without_credentials(line.split("=", 1)[1].strip())
    return ""


def _read_checkout(project: Path, seen: list) -> dict:
    dirs = git_dirs(project, seen)
    if dirs is None:
        return {}
    gitdir, common = dirs
    head = _read(gitdir / "HEAD", seen).strip()
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch, revision = ref.removeprefix("refs/heads/"), _ref_sha(common, gitdir, ref, seen)
    else:
        branch, revision = "", head
    url = _origin(_read(common / "config", seen))
    name = url.rstrip("/").removesuffix(".git").replace(":", "/").split("/")[-2:]
    return {"repository": url, "repository_name": "/".join(name) if url else project.name,
            "revision": revision, "ref": branch}


def _stamp(paths: list) -> tuple:
    stamp: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
            stamp.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            stamp.append(None)
    return tuple(stamp)


_remembered: dict[str, tuple[list, tuple | None, dict]] = {}  # project -> files read, their stamp, result


def from_git(project: Path, *, remember: bool = False) -> dict:
    """Remote URL, commit and branch of the checkout at ``project`` (empty values when not a checkout).

    ``remember`` (the resident evaluator, deciding for the same checkouts over and over): reuse
    the last answer while the files it was read from are unchanged (their ``stat``).
    """
    key = str(project)
    known = _remembered.get(key) if remember else None
    if known is not None and known[1] is not None and _stamp(known[0]) == known[1]:
        return dict(known[2])
    before = _stamp(known[0]) if known is not None else None
    seen: list = []
    found = _read_checkout(Path(project), seen)
    if remember:  # remembered only when nothing it read changed while it was read
        steady = known is not None and seen == known[0] and before == _stamp(seen)
        _remembered[key] = (seen, before if steady else None, found)
    return dict(found)


def provenance(env: Mapping, project: Path, *, remember: bool = False) -> dict:
    """Repository, commit, branch and run of a decision in ``project`` (only the values known)."""
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_REPOSITORY"):
        found = _github(env)
    elif env.get("GITLAB_CI") == "true":
        found = _gitlab(env)
    else:
        found = from_git(Path(project), remember=remember)
    return {k: v for k, v in found.items() if v}


def machine(env: Mapping) -> dict:
    """The host and the user a decision was made by."""
    user = env.get("USER") or env.get("LOGNAME")
    if not user:
        import pwd

        try:
            user = pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            user = str(os.getuid())
    return {"host": os.uname().nodename, "user": user}


def origin(env: Mapping, project: Path, config: Mapping | Config) -> dict:
    """Everything a sealed log records about where it was written: the checkout and CI run, host
    and user, Vectimus's version and each policy pack in force with its content digest (``policies.pack_digest``)."""
    from vectimus import __version__
    from vectimus.config import Config
    from vectimus.policies import enabled_packs, pack_digest

    resolved = config if isinstance(config, Config) else Config(dict(config), Path(project))  # a sink's table
    try:
        packs = {p.name: {"origin": p.origin, "digest": pack_digest(p)} for p in enabled_packs(Path(project), resolved)}
    except Exception:  # a broken pack is reported where it matters (every call is denied)
        packs = {}
    return {**provenance(env, project), **machine(env), "vectimus": __version__, "packs": packs}
