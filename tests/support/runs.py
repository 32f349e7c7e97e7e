"""A real project on disk for the analyser tests of files a command runs or writes."""

from __future__ import annotations

import os
from pathlib import Path

from vectimus.analyser import analysis
from vectimus.model import ToolCall
from vectimus.paths import Places


class Tree:
    """A temporary project (with HOME beside it) whose files the analyser reads."""

    def __init__(self, base: Path) -> None:
        self.home = base / "home"
        self.root = self.home / "work" / "app"
        self.root.mkdir(parents=True)
        (self.root / ".git" / "hooks").mkdir(parents=True)
        (self.root / ".env").write_text("API_KEY=not-a-real-secret\n")
        self.env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"}

    def write(self, rel: str, text: str | bytes, mode: int | None = None) -> Path:
        path = self.root / rel if not rel.startswith("~/") else self.home / rel[2:]
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        if mode is not None:
            os.chmod(path, mode)
        return path

    def with_files(self, files: dict[str, str | bytes]) -> Tree:
        """This tree with ``files`` written (``~/`` paths into its HOME)."""
        for rel, text in files.items():
            self.write(rel, text)
        return self

    def call(self, tool: str = "Bash", session: str = "s1", env: dict | None = None, **fields):
        kind = {"Bash": "shell", "Write": "file_write", "Edit": "file_write", "MultiEdit": "file_write",
                "NotebookEdit": "file_write", "apply_patch": "file_write"}[tool]
        if kind == "file_write" and "paths" not in fields:
            raw = fields.get("arguments", {}).get("file_path") or fields.get("arguments", {}).get("notebook_path")
            fields["paths"] = (raw if raw.startswith("/") else str(self.root / raw),)
        call = ToolCall(agent="claude", tool=tool, kind=kind, cwd=str(self.root), project_dir=str(self.root),
                        session_id=session, **fields)
        full_env = {**self.env, **(env or {})}
        return analysis(call, Places.for_call(str(self.root), str(self.root), full_env), full_env)

    def shell(self, command: str, **kw):
        """The actions of a Bash call."""
        return self.call("Bash", command=command, **kw).actions


def found(actions, kind: str, **want):
    """The actions of ``kind`` whose attributes (``net_sends_secret``, ``code_file`` …) match."""
    out = []
    for a in actions:
        if a.kind != kind:
            continue
        ok = True
        for key, value in want.items():
            obj, attr = (getattr(a, key.split("_", 1)[0]), key.split("_", 1)[1]) \
                if key.startswith(("net_", "code_", "target_")) else (a, key)
            if getattr(obj, attr) != value:
                ok = False
        if ok:
            out.append(a)
    return out


def sends_secret(actions) -> bool:
    """Whether one of ``actions`` sends a secret over the network."""
    return any(a.net.sends_secret for a in actions if a.kind == "network")


def deferred_sends_secret(actions) -> bool:
    """Whether code being written (``deferred``) would send a secret over the network."""
    return any(a.deferred and a.net.sends_secret for a in actions if a.kind == "network")


def unread(actions) -> list:
    """The actions of files Vectimus could not read (``code.unread``)."""
    return [a for a in actions if a.code.unread]


def deleted(actions) -> set[str]:
    """The paths ``actions`` delete."""
    return {a.resource for a in actions if a.kind == "file_delete"}
