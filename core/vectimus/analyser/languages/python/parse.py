"""Python source to an ``ast`` tree, past what does not parse, and without parsing again what an
edit left unchanged.

A syntax error (Python 2 code, partial code, syntax newer than this interpreter) does not stop
the analysis: the line is blanked and parsing retried, and the reason is kept so the analyser can
say what it could not read. A tree too deep for the parser is no tree, with a reason.

A long file is also read as chunks, so an Edit to one function parses that function only. The
text is cut before each line that may start a top-level statement (a name, a keyword or a
decorator in column 0; not ``else``/``elif``/``except``/``finally``); a chunk is one or more
consecutive pieces that parse alone as complete statements (a line inside a string or brackets
joins the piece before it), kept by its first line and text. Why the joined chunks are the tree of the whole text: a chunk
that parses alone from a clean start ends with no string, bracket or continuation open, so the
next one starts, in the whole text too, as a new top-level statement. Pieces no kept chunk covers
are parsed together; when they do not parse alone, the whole text is parsed.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections import OrderedDict

MAX_REPAIRS = 16      # lines blanked out to get past syntax errors (Python 2 print statements …)
CHUNKED_BYTES = 2048  # shorter texts are parsed whole: one parse is cheaper than the bookkeeping
MAX_CHUNKS = 512      # chunks kept (a few long files' worth)

# the newline before a line that may start a top-level statement: a name or keyword (not one
# continuing a compound statement) or a decorator, in column 0 (searched from the newline: a
# pattern that starts with a literal is scanned for fast, where ``^`` in MULTILINE mode is tried
# at every offset)
_STARTS = re.compile(r"\n(?!(?:else|elif|except|finally)\b)[A-Za-z_@]")

# (first line, first piece's text) -> (the chunk's text, its pieces, its statements); oldest first
_chunks: OrderedDict[tuple[int, str], tuple[str, int, tuple[ast.stmt, ...]]] = OrderedDict()


@functools.lru_cache(maxsize=16)
def parse(text: str) -> tuple[ast.Module | None, str]:
    """The module ``text`` parses to and, when part of it did not parse, why (one line).

    A line with a syntax error is blanked and parsing retried, so the rest is still analysed.
    Trees are kept for the last few texts (the evaluator never changes them): the daemon analyses
    a script when it is written and again when it runs.
    """
    cuts = _cuts(text)
    if cuts:
        tree = _from_chunks(text, cuts)
        if tree is not None:
            return tree, ""
    tree, why = _whole(text)
    if cuts and tree is not None and not why:
        _keep(text, cuts, tree.body)
    return tree, why


def _cuts(text: str) -> list[tuple[int, int]]:
    """Where ``text`` is cut into pieces, as (offset, line), ending with the text's end; empty when
    the text is short or ends lines with a carriage return (which ``ast`` counts as a line)."""
    if len(text) < CHUNKED_BYTES or "\r" in text:
        return []
    starts = [0]
    after_decorator = text[0] == "@"
    for m in _STARTS.finditer(text):
        at = m.start() + 1
        if not after_decorator:  # a decorated statement starts at its first decorator
            starts.append(at)
        after_decorator = text[at] == "@"
    if len(starts) < 2:
        return []
    starts.append(len(text))
    cuts, line = [], 1
    for i, at in enumerate(starts):
        cuts.append((at, line))
        if i + 1 < len(starts):
            line += text.count("\n", at, starts[i + 1])
    return cuts


def _from_chunks(text: str, cuts: list[tuple[int, int]]) -> ast.Module | None:
    """The tree joined from kept chunks and the pieces between them parsed together; None when
    most of the text is new (one parse of the whole is cheaper) or new pieces do not parse alone."""
    last = len(cuts) - 1
    found: list[tuple[int, int, tuple[ast.stmt, ...] | None]] = []  # (first piece, end, statements)
    i = kept = 0
    while i < last:
        (at, line), after = cuts[i], cuts[i + 1][0]
        key = (line, text[at:after])
        entry = _chunks.get(key)
        if entry is not None:
            chunk, pieces, statements = entry
            if i + pieces <= last and cuts[i + pieces][0] - at == len(chunk) and text.startswith(chunk, at):
                _chunks.move_to_end(key)
                found.append((i, i + pieces, statements))
                kept += len(chunk)
                i += pieces
                continue
        if found and found[-1][2] is None:  # pieces no kept chunk covers, parsed together
            found[-1] = (found[-1][0], i + 1, None)
        else:
            found.append((i, i + 1, None))
        i += 1
    if kept * 2 < len(text):
        return None
    body: list[ast.stmt] = []
    for first, end, kept_statements in found:
        if kept_statements is None:
            (at, line), stop = cuts[first], cuts[end][0]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = tuple(ast.parse("\n" * (line - 1) + text[at:stop]).body)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            _keep(text, cuts[first:end + 1], parsed)
            kept_statements = parsed
        body.extend(kept_statements)
    return ast.Module(body=body, type_ignores=[])


def _keep(text: str, cuts: list[tuple[int, int]], statements) -> None:
    """Keep the chunks of the pieces between ``cuts`` (the last one their end), which parsed to
    ``statements``: a piece whose first line does not start a top-level statement in column 0 (a
    line inside brackets) joins the chunk before it."""
    starts = {_first_line(node) for node in statements if node.col_offset == 0}
    nodes = iter(statements)
    node = next(nodes, None)
    first = 0
    for i in range(1, len(cuts)):
        if i < len(cuts) - 1 and cuts[i][1] not in starts:
            continue
        (at, line), end = cuts[first], cuts[i][1] if i < len(cuts) - 1 else None
        mine: list[ast.stmt] = []
        while node is not None and (end is None or _first_line(node) < end):
            mine.append(node)
            node = next(nodes, None)
        _remember((line, text[at:cuts[first + 1][0]]), (text[at:cuts[i][0]], i - first, tuple(mine)))
        first = i


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return min(d.lineno for d in decorators) if decorators else node.lineno


def _remember(key: tuple[int, str], entry: tuple[str, int, tuple[ast.stmt, ...]]) -> None:
    _chunks[key] = entry
    _chunks.move_to_end(key)
    while len(_chunks) > MAX_CHUNKS:
        _chunks.popitem(last=False)


def _whole(text: str) -> tuple[ast.Module | None, str]:
    """``text`` parsed in one piece, lines with syntax errors blanked (at most MAX_REPAIRS)."""
    lines: list[str] | None = None
    first = ""
    for _ in range(MAX_REPAIRS + 1):
        source = text if lines is None else "\n".join(lines)
        try:
            with warnings.catch_warnings():  # the agent's "\d" must not print a SyntaxWarning from the hook
                warnings.simplefilter("ignore")
                return ast.parse(source), first
        except SyntaxError as exc:
            why = f"syntax error at line {exc.lineno}: {exc.msg}"
            first = first or why
            if lines is None:
                lines = text.split("\n")
            index = (exc.lineno or 0) - 1
            if not 0 <= index < len(lines) or not lines[index].strip():
                return None, first
            line = lines[index]
            lines[index] = line[:len(line) - len(line.lstrip())] + "pass"
        except (RecursionError, MemoryError):
            return None, "too deeply nested to parse"
        except ValueError as exc:  # NUL bytes
            return None, " ".join(str(exc).split())[:80]
    return None, first or "too many syntax errors"
