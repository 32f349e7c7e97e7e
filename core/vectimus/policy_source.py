"""Cedar source split into its policies, each with the line it starts on (CLI only).

Cedar reports problems by its own generated ids (``policy0``, ``policy1`` …) and without
positions; splitting a file at each top-level ``;`` lets ``policy lint`` check one policy at a
time and name it by its ``@id`` and ``file:line``, and ``policy show`` print one policy's text.
"""

from __future__ import annotations

import re

from vectimus.records import Record

_ID = re.compile(r'@id\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


class Chunk(Record):
    """One policy's text (leading comments dropped), its ``@id`` ('' when it has none) and its first line."""

    text: str
    id: str
    line: int


def policy_chunks(text: str) -> list[Chunk]:
    """The policies in Cedar ``text``, in order; a trailing chunk without ``;`` is kept (it is an error)."""
    chunks: list[Chunk] = []
    start, i, depth, n = 0, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ";" and depth == 0:
            _add(chunks, text, start, i + 1)
            start = i + 1
        i += 1
    _add(chunks, text, start, n)
    return chunks


def _add(chunks: list[Chunk], text: str, start: int, end: int) -> None:
    lines = text[start:end].split("\n")
    skipped = 0
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("//")):
        lines.pop(0)
        skipped += 1
    body = "\n".join(lines).rstrip()
    if not body:
        return
    found = _ID.search(body)
    chunks.append(Chunk(body, found.group(1) if found else "", text.count("\n", 0, start) + skipped + 1))


def policy_source(text: str) -> dict[str, str]:
    """Each policy's text in Cedar ``text``, by ``@id``."""
    return {c.id: c.text for c in policy_chunks(text) if c.id}
