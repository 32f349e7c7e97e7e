"""Keep what ``vectimus init`` writes out of ``git status`` (CLI only).

Hook files hold this machine's absolute paths and ``.vectimus/`` holds per-checkout state, so an
agent's ``git add -A`` must not pick them up. Untracked files go in a marked block of
``.git/info/exclude`` (never a file the repository shares). A file git already tracks is told
``--skip-worktree``, so the local change stays out of status and commits, and the user is told.
``vectimus remove`` undoes both for the files it cleans.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

BEGIN = "# >>> vectimus: written by `vectimus init`, kept out of git status (`vectimus remove` updates it)"
END = "# <<< vectimus"
# Written by every hook call (the receipt log, exported public keys), whatever init wrote.
ALWAYS = ("/.vectimus/receipts/", "/.vectimus/keys/")


def _git(root: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, timeout=30)


def work_tree(project: Path) -> Path | None:
    """The git work tree ``project`` is in, or None when it is not in one (or git is missing)."""
    try:
        out = _git(project, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.decode().strip()) if out.returncode == 0 and out.stdout.strip() else None


def _relative(root: Path, path: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None  # outside the work tree (the user's home)


def _tracked(root: Path, rel: str) -> bool:
    return _git(root, "ls-files", "--error-unmatch", "--", rel).returncode == 0


def _exclude_file(root: Path) -> Path:
    out = _git(root, "rev-parse", "--git-path", "info/exclude")
    return root / out.stdout.decode().strip()


def _read_block(path: Path) -> tuple[list[str], list[str]]:
    """(the exclude file's own lines, the entries of our block)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if BEGIN not in lines or END not in lines[lines.index(BEGIN):]:
        return lines, []
    start = lines.index(BEGIN)
    end = lines.index(END, start)
    return lines[:start] + lines[end + 1:], lines[start + 1:end]


def _write_block(path: Path, own: list[str], entries: list[str]) -> None:
    while own and not own[-1].strip():
        own = own[:-1]
    block = [BEGIN, *entries, END] if entries else []
    text = "\n".join(own + ([""] if own and block else []) + block)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n" if text else "", encoding="utf-8")


def keep_out_of_status(project: Path, written: list[Path]) -> list[str]:
    """Keep the files init wrote out of ``git status``; return what the user must be told."""
    root = work_tree(project)
    if root is None:
        return []
    notes: list[str] = []
    entries: list[str] = list(ALWAYS)
    for path in dict.fromkeys(written):
        rel = _relative(root, path)
        if rel is None or any(("/" + rel).startswith(prefix) for prefix in ALWAYS):
            continue
        if not _tracked(root, rel):
            entries.append("/" + rel)
        elif _git(root, "diff", "--quiet", "--", rel).returncode != 0:
            _git(root, "update-index", "--skip-worktree", "--", rel)
            notes.append(f"{rel} is tracked by git: init changed it here (a hook command names this "
                         "machine's paths), and git now leaves that change out of git status and commits "
                         f"(`git update-index --no-skip-worktree {rel}` shows it again).")
    exclude = _exclude_file(root)
    own, ours = _read_block(exclude)
    _write_block(exclude, own, list(dict.fromkeys(ours + entries)))
    return notes


def restore_status(project: Path, changed: list[Path]) -> None:
    """After ``vectimus remove``: forget excluded files it deleted, and let git see tracked ones again.

    A tracked JSON file whose content is back to what git has is restored byte for byte (init
    wrote it with its own formatting).
    """
    root = work_tree(project)
    if root is None:
        return
    exclude = _exclude_file(root)
    own, ours = _read_block(exclude)
    kept = [e for e in ours if e in ALWAYS or (root / e.lstrip("/")).exists()]
    if kept != ours:
        _write_block(exclude, own, kept)
    for path in changed:
        rel = _relative(root, path)
        if rel is None or not _tracked(root, rel):
            continue
        _git(root, "update-index", "--no-skip-worktree", "--", rel)
        staged = _git(root, "show", f":{rel}")
        try:
            same = path.exists() and json.loads(staged.stdout) == json.loads(path.read_bytes())
        except ValueError:
            same = False
        if staged.returncode == 0 and same:
            path.write_bytes(staged.stdout)
