"""The ``apply_patch`` format (Codex's, also Copilot's and OpenCode's): which files a patch touches
and what they will hold, read without applying it.

::

    *** Begin Patch
    *** Add File: <path>        followed by "+" lines (the new file's content)
    *** Delete File: <path>
    *** Update File: <path>
    *** Move to: <new path>     optional, right after an Update header
    @@ ...                      hunks: " " context, "-" removed, "+" added lines
    *** End Patch

Lenient about what surrounds the patch (a heredoc wrapper, leading blanks), strict about the
result: a patch that names no file, or a header without a path, is a ``PatchError``, so a caller
can fail closed. Standard library only: used on the hot path.
"""

from __future__ import annotations

from typing import Any

from vectimus.errors import VectimusError
from vectimus.records import Record

BEGIN = "*** Begin Patch"
END = "*** End Patch"
HEADERS = {"*** Add File: ": "add", "*** Delete File: ": "delete", "*** Update File: ": "update",
           "*** Move to: ": "move"}


#: The input keys where an agent's ``apply_patch`` tool keeps the patch: Codex ``command``,
#: Copilot ``input`` (earlier ``patch``), OpenCode ``patchText``.
TEXT_KEYS = ("command", "input", "patch", "patchText")


class PatchError(VectimusError, ValueError):
    """The text is not a patch whose targets can be read."""


class FilePatch(Record):
    """What a patch does to one file: ``action`` is add, update or delete."""

    action: str
    path: str
    move_to: str = ""
    lines: tuple[str, ...] = ()   # update: its hunks' lines ("@@", " ", "-", "+"); else its "+" lines


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class Patch(Record):
    """Every file one patch touches, in order, as written in it (relative or absolute)."""

    files: tuple[FilePatch, ...]

    def _of(self, action: str) -> tuple[str, ...]:
        return _unique(f.path for f in self.files if f.action == action)

    @property
    def added(self) -> tuple[str, ...]:
        return self._of("add")

    @property
    def updated(self) -> tuple[str, ...]:
        return self._of("update")

    @property
    def deleted(self) -> tuple[str, ...]:
        return self._of("delete")

    @property
    def moved_to(self) -> tuple[str, ...]:
        return _unique(f.move_to for f in self.files if f.move_to)

    @property
    def written(self) -> tuple[str, ...]:
        """Paths whose content the patch creates or changes (added, updated, move targets)."""
        return _unique(self.added + self.updated + self.moved_to)

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the patch names, in order (a move's target after its source)."""
        return _unique(p for f in self.files for p in (f.path, f.move_to) if p)

    @property
    def added_text(self) -> str:
        """Every "+" line of the patch, prefix removed: what gets written."""
        return "\n".join(line[1:] for f in self.files for line in f.lines if line.startswith("+"))


def parse(text: Any) -> Patch:
    """The files ``text`` adds, updates, moves and deletes; PatchError when it names none.

    Only what lies between ``*** Begin Patch`` and ``*** End Patch`` counts.
    """
    if not isinstance(text, str) or BEGIN not in text:
        raise PatchError("apply_patch input without '*** Begin Patch'")
    files: list[FilePatch] = []
    inside = False
    for raw_line in text.splitlines():
        line = raw_line.strip() if raw_line.lstrip().startswith("***") else raw_line
        if line.startswith(BEGIN):
            inside = True
            continue
        if not inside:
            continue
        if line.startswith(END):
            inside = False
            continue
        header = next((p for p in HEADERS if line.startswith(p)), None)
        if header is None:
            if files and line[:1] in ((" ", "-", "+", "@") if files[-1].action == "update" else ("+",)):
                files[-1] = files[-1]._replace(lines=(*files[-1].lines, line))
            continue
        path, action = line[len(header):].strip(), HEADERS[header]
        if not path:
            raise PatchError(f"apply_patch header {header.strip()!r} without a path")
        if action == "move":
            if not files or files[-1].action != "update" or files[-1].move_to:
                raise PatchError("apply_patch '*** Move to:' outside an Update File section")
            files[-1] = files[-1]._replace(move_to=path)
        else:
            files.append(FilePatch(action, path))
    if not files:
        raise PatchError("apply_patch input that names no file")
    return Patch(tuple(files))


def text_of(tool_input: Any) -> str | None:
    """The patch an ``apply_patch`` call's input holds; None when it holds none. PatchError when
    its keys hold different texts: which one the agent applies is not for Vectimus to guess."""
    if not isinstance(tool_input, dict):
        return None
    texts = {tool_input[k] for k in TEXT_KEYS if isinstance(tool_input.get(k), str)}
    if len(texts) > 1:
        raise PatchError("apply_patch input holding more than one patch")
    return next(iter(texts), None)


def with_files(tool_input: dict) -> dict:
    """``tool_input`` with ``files``, every path its patch names (the ``ToolSpec.normalise`` of an
    ``apply_patch`` tool)."""
    return {**tool_input, "files": paths(text_of(tool_input))}


def paths(text: Any) -> list[str]:
    """Every path a patch names; [] when ``text`` is not a patch."""
    try:
        return list(parse(text).paths)
    except PatchError:
        return []


def new_text(change: FilePatch, current: str) -> str:
    """What the file holds after ``change``: an added file's lines; an updated one's ``current`` text
    with each ``@@`` hunk applied (a hunk whose old lines are not found has its new lines appended)."""
    if change.action == "add":
        return "\n".join(line[1:] for line in change.lines) + "\n"
    text, hunks, hunk = current, [], []  # type: str, list[list[str]], list[str]
    for line in change.lines:
        if line.startswith("@"):
            if hunk:
                hunks.append(hunk)
            hunk = []
        else:
            hunk.append(line)
    if hunk:
        hunks.append(hunk)
    for hunk in hunks:
        old = "\n".join(line[1:] for line in hunk if line[:1] in (" ", "-"))
        new = "\n".join(line[1:] for line in hunk if line[:1] in (" ", "+"))
        if old and old in text:
            text = text.replace(old, new, 1)
        else:
            text = text + "\n" + new
    return text
