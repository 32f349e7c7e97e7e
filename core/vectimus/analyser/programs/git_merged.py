"""Whether the branches ``git branch -D`` deletes hold no work of their own: each one's tip is the
commit HEAD or another ref points at, or one HEAD's history reaches (a fast-forwarded or merged
branch, a branch just made and never committed to), so deleting it loses nothing, as ``-d`` would
allow.

Read from the repository as it is before the call (``.git`` above the directory, a worktree's
``gitdir``/``commondir``; loose and packed refs; loose commit objects walked from HEAD, at most
``MAX_COMMITS``, stopping at a packed one). Anything not known keeps the branch counted as holding
work: ``-C``/``--git-dir``/``GIT_DIR``, a name that is not plain, an unreadable ref, a tip not found
within the walk, and any earlier command of the call that may move refs or write into ``.git``
(``git commit … && git branch -D x``).
Standard library only (zlib): imported when git deletes a branch by force.
"""

from __future__ import annotations

import os
import re

from vectimus import world
from vectimus.analyser.context import Analysis, Cmd

MAX_COMMITS = 256
MAX_REFS = 512
OBJECT_BYTES = 1 << 16
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_NAME = re.compile(r"[A-Za-z0-9._/+-]+")
MOVES_REFS = frozenset(("commit", "merge", "rebase", "reset", "cherry-pick", "revert", "am", "pull", "fetch",
                        "update-ref", "branch", "stash", "filter-branch", "replace", "tag", "notes", "symbolic-ref",
                        "pack-refs", "gc", "repack", "prune", "bisect", "clone", "init", "restore", "apply"))
MAKES_BRANCH = frozenset(("b", "B", "c", "C", "orphan", "detach", "track", "t", "force-create", "create"))


def holds_no_work(an: Analysis, cmd: Cmd, names: list[str], before: int) -> bool:
    """Whether every branch in ``names`` is kept elsewhere (see the module); ``before`` is the number
    of actions the call had recorded before this command."""
    if not names or any(not _NAME.fullmatch(n) or ".." in n for n in names) or cmd.scope.cwd_dynamic:
        return False
    if any(k.startswith("GIT_") for k, _ in cmd.env) or any(k.startswith("GIT_") for k in cmd.scope.vars):
        return False
    moved_to = None  # the branch an earlier checkout or switch of the call leaves HEAD on
    for action in an.actions[:before]:
        if action.kind in ("file_write", "file_delete") and "/.git" in action.target.path:
            return False
        if action.kind != "exec" or action.program != "git":
            continue
        if action.subcommand in MOVES_REFS or (action.subcommand == "worktree" and "add" in action.args):
            return False
        if action.subcommand in ("checkout", "switch"):
            operands = [a for a in action.args[1:] if a == "-" or not a.startswith("-")]
            if set(action.flags) & MAKES_BRANCH or len(operands) != 1 or "--" in action.args:
                return False
            moved_to = operands[0]
    found = _git_dirs(cmd.scope.places.cwd)
    if found is None:
        return False
    own, common = found
    refs = _refs(common)
    head = _head(own, refs) if moved_to is None else refs.get(f"refs/heads/{moved_to}")  # (None: unknown)
    tips = []
    for name in names:
        tip = refs.get(f"refs/heads/{name}")
        if tip is None:
            return False
        tips.append((f"refs/heads/{name}", tip))
    deleted = {ref for ref, _ in tips}
    others = {sha for r, sha in refs.items() if r not in deleted}  # (two deleted together keep nothing)
    for _, tip in tips:
        if tip not in others and (head is None or (tip != head and not _reaches(common, head, tip))):
            return False
    return True


def _git_dirs(cwd: str) -> tuple[str, str] | None:
    """(the git directory, the common one holding refs and objects) of the repository around ``cwd``."""
    folder = cwd.rstrip("/") or "/"
    for _ in range(64):
        dot = os.path.join(folder, ".git")
        if world.isdir(dot):
            return dot, dot
        if world.isfile(dot):
            text = _text(dot)
            match = re.match(r"gitdir: (.+)", text or "")
            if match is None:
                return None
            own = os.path.normpath(os.path.join(folder, match.group(1).strip()))
            common = _text(os.path.join(own, "commondir"))
            return own, os.path.normpath(os.path.join(own, common.strip())) if common else own
        if folder == "/":
            return None
        folder = os.path.dirname(folder)
    return None


def _text(path: str) -> str | None:
    try:
        return world.read(path, 4096).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _refs(common: str) -> dict[str, str]:
    """Every ref's commit: the packed ones, then the loose ones over them."""
    out: dict[str, str] = {}
    for line in (_text_long(os.path.join(common, "packed-refs")) or "").splitlines():
        sha, _, ref = line.partition(" ")
        if _SHA.fullmatch(sha) and ref.startswith("refs/"):
            out[ref] = sha
    stack = ["refs"]
    while stack and len(out) < MAX_REFS:
        rel = stack.pop()
        try:
            entries = world.scandir(os.path.join(common, rel))
        except OSError:
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
            else:
                sha = (_text(os.path.join(common, path)) or "").strip()
                if _SHA.fullmatch(sha):
                    out[path] = sha
    return out


def _text_long(path: str) -> str | None:
    try:
        return world.read(path, 1 << 20).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _head(own: str, refs: dict[str, str]) -> str | None:
    text = (_text(os.path.join(own, "HEAD")) or "").strip()
    if text.startswith("ref: "):
        return refs.get(text[5:].strip())
    return text if _SHA.fullmatch(text) else None


def _reaches(common: str, head: str, tip: str) -> bool:
    """Whether ``tip`` is among the first ``MAX_COMMITS`` loose commits of HEAD's history."""
    import zlib

    seen: set[str] = set()
    queue = [head]
    while queue and len(seen) < MAX_COMMITS:
        sha = queue.pop(0)
        if sha in seen:
            continue
        seen.add(sha)
        if sha == tip:
            return True
        try:
            data = zlib.decompressobj().decompress(world.read(
                os.path.join(common, "objects", sha[:2], sha[2:]), OBJECT_BYTES), OBJECT_BYTES)
        except (OSError, ValueError, zlib.error):
            continue  # packed (or unreadable): this way is not followed
        header, _, body = data.partition(b"\0")
        if not header.startswith(b"commit "):
            continue
        for line in body.split(b"\n"):
            if not line:
                break  # the end of the headers
            if line.startswith(b"parent "):
                queue.append(line[7:].decode("ascii", "replace").strip())
    return False
