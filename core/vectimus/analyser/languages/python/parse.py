"""Python source to an ``ast`` tree, past what does not parse.

A syntax error (Python 2 code, partial code, syntax newer than this interpreter) does not stop
the analysis: the line is blanked and parsing retried, and the reason is kept so the analyser can
say what it could not read. A tree too deep for the parser is no tree, with a reason.
"""

from __future__ import annotations

import ast
import functools
import warnings

MAX_REPAIRS = 16  # lines blanked out to get past syntax errors (Python 2 print statements …)


@functools.lru_cache(maxsize=16)
def parse(text: str) -> tuple[ast.Module | None, str]:
    """The module ``text`` parses to and, when part of it did not parse, why (one line).

    A line with a syntax error is blanked and parsing retried, so the rest is still analysed.
    Trees are kept for the last few texts (the evaluator never changes them): the daemon analyses
    a script when it is written and again when it runs.
    """
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
