"""Shell text to a syntax tree: tree-sitter-bash, within the call's CPU-time parse budget.

tree-sitter is imported lazily, on the first shell call, and the parser is built once; the trees
of the last few short texts are kept (a make run analyses the same recipe lines each time), each
with a dict in which the walker keeps what it worked out from the text alone. ``reparsed`` parses
a text that is mostly an earlier one from that text's tree (a JavaScript script, a Makefile).
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

import re
import time
from typing import Any

from vectimus.analyser.context import MAX_PARSE_SECONDS, Analysis, Unanalysable

_PARSER: Any = None
MAX_TREES = 256         # shell texts whose trees are kept between calls
MAX_TREE_BYTES = 1024   # only a text this short (a command line, a recipe line) has its tree kept
_TREES: dict[bytes, tuple[Any, dict]] = {}  # shell text -> (root node, walker's notes), the most recently used last


def parser() -> Any:
    """The process-wide tree-sitter parser for bash."""
    global _PARSER
    if _PARSER is None:
        import tree_sitter

        from vectimus.native import bash_language

        _PARSER = tree_sitter.Parser(tree_sitter.Language(bash_language()))
    return _PARSER


def parse(data: bytes, an: Analysis) -> tuple[Any, dict]:
    """The bash syntax tree of ``data``, and a dict kept with it for what the walker works out from
    the text alone; Unanalysable when parsing overruns the call's parse budget.

    The trees of the last ``MAX_TREES`` short texts are kept: a tree-sitter tree does not change
    once parsed, and the analyser only reads it."""
    if len(data) > MAX_TREE_BYTES:
        return budgeted(parser(), data, an, "shell command"), {}
    found = _TREES.pop(data, None)
    if found is None:
        found = budgeted(parser(), data, an, "shell command"), {}
    _TREES[data] = found
    while len(_TREES) > MAX_TREES:
        _TREES.pop(next(iter(_TREES)), None)  # the least recently used
    return found


def budgeted(p: Any, data: bytes, an: Analysis, what: str) -> Any:
    """The root node tree-sitter parser ``p`` gives ``data``, within the call's CPU parse budget.

    Past ``an.parse_deadline`` the parse is cancelled and ``what`` is Unanalysable. The clock is
    read every 64th progress callback: reading a thread's CPU time is a system call.
    """
    return budgeted_tree(p, data, an, what).root_node


def budgeted_tree(p: Any, data: bytes, an: Analysis, what: str, old_tree: Any = None) -> Any:
    """``budgeted``, giving the tree; ``old_tree`` (edited to match ``data``) is the tree of an
    earlier text, whose unchanged parts tree-sitter reuses."""
    deadline = an.parse_deadline
    calls = 0

    def overrun(_offset, _error) -> bool:
        nonlocal calls
        calls += 1
        return calls & 63 == 0 and time.thread_time() > deadline

    def read(offset: int, _point) -> bytes:
        return data[offset:]

    try:
        tree = p.parse(read, progress_callback=overrun) if old_tree is None else \
            p.parse(read, old_tree, progress_callback=overrun)
    except ValueError:  # cancelled by the progress callback
        p.reset()
        raise Unanalysable(f"{what} too complex to parse in {MAX_PARSE_SECONDS:g} s of CPU time") from None
    return tree


def reparsed(p: Any, data: bytes, an: Analysis, what: str, last: tuple[bytes, Any] | None) -> Any:
    """``budgeted_tree`` of ``data``: from ``last`` (an earlier text and its tree) edited to it when
    most of the text is unchanged (tree-sitter reuses what the edit left alone), else parsed whole;
    a result with a syntax error is parsed whole again, so the tree a text gets never depends on the
    text before it where error recovery might."""
    edit = _edit(last[0], data) if last is not None else None
    if last is not None and edit is not None:
        old = last[1].copy()
        old.edit(*edit)
        tree = budgeted_tree(p, data, an, what, old)
        if not tree.root_node.has_error:
            return tree
    return budgeted_tree(p, data, an, what)


def _edit(old: bytes, new: bytes) -> tuple | None:
    """``Tree.edit``'s arguments for the change from ``old`` to ``new`` (the span between their
    common start and common end), or None when less than half of ``new`` is unchanged."""
    most = min(len(old), len(new))
    start = _common(most, lambda n: old[:n] == new[:n])
    end = _common(most - start, lambda n: old[len(old) - n:] == new[len(new) - n:])
    if (start + end) * 2 < len(new):
        return None
    old_end, new_end = len(old) - end, len(new) - end
    return start, old_end, new_end, _point(old, start), _point(old, old_end), _point(new, new_end)


def _common(most: int, same) -> int:
    """The largest n <= ``most`` for which ``same(n)`` (which holds up to some n, then not)."""
    low, high = 0, most
    while low < high:
        mid = (low + high + 1) // 2
        if same(mid):
            low = mid
        else:
            high = mid - 1
    return low


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """(row, byte column) of ``offset`` in ``data``, as tree-sitter counts them."""
    return data.count(b"\n", 0, offset), offset - data.rfind(b"\n", 0, offset) - 1


_ASTRAL = re.compile(rb"[\xf0-\xf7][\x80-\xbf]{3}")
_LEAD4 = re.compile(rb"[\xf0-\xff]")


def astral_free(data: bytes) -> bytes:
    """``data`` with each 4-byte UTF-8 character replaced by four ``_`` (same byte offsets).

    tree-sitter-bash 0.25 can crash the process (SIGSEGV) on 4-byte UTF-8 after a ``{``
    (tree-sitter/tree-sitter-bash#337). Word values are still read from the original bytes.
    """
    if data.isascii() or not _LEAD4.search(data):
        return data
    return _LEAD4.sub(b"_", _ASTRAL.sub(b"____", data))
