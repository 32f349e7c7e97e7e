"""Read which files a Codex ``apply_patch`` call touches, without applying it.

The patch format (Codex's own grammar)::

    *** Begin Patch
    *** Add File: <path>        followed by "+" lines (the new file's content)
    *** Delete File: <path>
    *** Update File: <path>
    *** Move to: <new path>     optional, right after an Update header
    @@ ...                      hunks: " " context, "-" removed, "+" added lines
    *** End Patch

Standard library only: used on the hook's hot path.
"""

from __future__ import annotations

from typing import NamedTuple

BEGIN = "*** Begin Patch"
END = "*** End Patch"
HEADERS = {
    "*** Add File: ": "add",
    "*** Delete File: ": "delete",
    "*** Update File: ": "update",
    "*** Move to: ": "move",
}


class PatchError(ValueError):
    """The text is not a patch whose targets can be read."""


class PatchTargets(NamedTuple):
    """The files one patch touches, as written in the patch (relative or absolute)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    moved_to: tuple[str, ...] = ()
    added_text: str = ""  # every "+" line of the patch, prefix removed: what gets written

    @property
    def written(self) -> tuple[str, ...]:
        """Paths whose content the patch creates or changes (added, updated, move targets)."""
        return _unique(self.added + self.updated + self.moved_to)


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def parse_patch(text: str) -> PatchTargets:
    """The files ``text`` adds, updates, moves and deletes; PatchError when there are none.

    Lenient about what surrounds the patch (a heredoc wrapper, leading blanks) but strict
    about the result: a patch that names no file, or names an empty path, is an error, so a
    caller can fail closed.
    """
    if not isinstance(text, str) or BEGIN not in text:
        raise PatchError("apply_patch input without '*** Begin Patch'")
    found: dict[str, list[str]] = {kind: [] for kind in HEADERS.values()}
    added_lines: list[str] = []
    inside = False
    last = ""
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
        for prefix, kind in HEADERS.items():
            if line.startswith(prefix):
                path = line[len(prefix):].strip()
                if not path:
                    raise PatchError(f"apply_patch header {prefix.strip()!r} without a path")
                if kind == "move" and last != "update":
                    raise PatchError("apply_patch '*** Move to:' outside an Update File section")
                found[kind].append(path)
                last = kind
                break
        else:
            if line.startswith("+"):
                added_lines.append(line[1:])
    targets = PatchTargets(
        added=_unique(tuple(found["add"])), updated=_unique(tuple(found["update"])),
        deleted=_unique(tuple(found["delete"])), moved_to=_unique(tuple(found["move"])),
        added_text="\n".join(added_lines))
    if not (targets.written or targets.deleted):
        raise PatchError("apply_patch input that names no file")
    return targets
