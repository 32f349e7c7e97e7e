"""Python's parse (``languages/python/parse.py``): a long file is kept as chunks, so an Edit parses
only what it changed, and the joined chunks are always the tree ``ast.parse`` gives the whole text,
line numbers included."""

from __future__ import annotations

import ast
import importlib

import pytest

P = importlib.import_module("vectimus.analyser.languages.python.parse")

# a file with every shape that puts a cut where no statement starts: col-0 names inside strings,
# comments and brackets, decorators over several lines, compound statements continued in
# column 0, backslash continuations, a matrix product continued on a line starting with "@"
TRICKY = '''"""A module whose docstring has lines
starting in column 0: like this one
def not_a_function():
"""
import os, shutil
from pathlib import Path

USAGE = \'\'\'usage:
run it
    import nothing
\'\'\'
VALUE = (1 +
2) + \\
3
NAMES = [
alpha,
] if False else []
M = (a
@ b) if False else None
P = (
q); R = 1
# a comment: def nothing(): pass
if os.environ.get("X"):
    MODE = "x"
elif os.environ.get("Y"):
    MODE = "y"
else:
    MODE = "z"
try:
    import json
except ImportError:
    json = None
finally:
    pass


@decorator(
    arg=1,
)
@other
def build(target):
    """Build one target.
clean: the build directory
"""
    out = os.path.join("build", target)
    shutil.rmtree(out)
    return f"""{out}
done"""


class Tool:
    def run(self):
        os.system("make")
x = 1; y = 2
for i in range(3):
    pass
else:
    pass
''' + "".join(f"\ndef helper_{n}(a, b=2):\n    return os.path.join(a, str(b), '{n}')\n" for n in range(40))


def whole(text: str) -> str | None:
    """The tree of ``text`` parsed in one piece (past syntax errors, as the analyser reads it)."""
    tree, _ = P._whole(text)
    return ast.dump(tree, include_attributes=True) if tree is not None else None


def chunked(text: str) -> str | None:
    P.parse.cache_clear()
    tree, _ = P.parse(text)
    return ast.dump(tree, include_attributes=True) if tree is not None else None


def edits(text: str):
    """Each of the first 75 lines of ``text`` (the tricky part) changed in each way an Edit
    changes a file."""
    lines = text.split("\n")
    for i in range(75):
        yield "\n".join(lines[:i] + [lines[i] + "  # edited"] + lines[i + 1:])
        yield "\n".join(lines[:i] + lines[i + 1:])
        for new in ('x = """', "def g():", "else:", "@d", "v = (", "    w = 2", "import sys", "z = \\"):
            yield "\n".join(lines[:i] + [new] + lines[i:])


def test_the_tricky_file_joined_from_chunks_is_its_whole_tree():
    assert len(P._cuts(TRICKY)) > 40
    assert chunked(TRICKY) == whole(TRICKY)


def test_every_edit_parses_to_the_whole_texts_tree():
    """After the file is parsed whole (and its chunks kept), every edit of every line joins kept
    and new chunks into exactly the tree of the edited text, or no tree where it does not parse."""
    P._chunks.clear()
    chunked(TRICKY)
    checked = 0
    for text in edits(TRICKY):
        assert chunked(text) == whole(text), text
        checked += P._whole(text)[1] == ""
    assert checked > 150


def test_an_edit_parses_only_the_chunk_it_changed(monkeypatch):
    P._chunks.clear()
    chunked(TRICKY)
    parsed: list[str] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(source) or real(source, *a, **k))
    text = TRICKY.replace("def helper_7(a, b=2):", "def helper_7(a, b=3):")
    assert chunked(text) == whole_with(real, text)
    assert len(parsed) == 1 and parsed[0].strip().startswith("def helper_7(a, b=3):")


def whole_with(parse, text: str) -> str:
    return ast.dump(parse(text), include_attributes=True)


def test_a_chunk_is_kept_by_its_line_too():
    """The same function one line lower is parsed again: its nodes carry their line numbers."""
    P._chunks.clear()
    chunked(TRICKY)
    lower = "import sys\n" + TRICKY
    assert chunked(lower) == whole(lower)


def test_a_decorated_statement_is_one_piece_from_its_first_decorator():
    """Pieces start at a line in column 0 that may start a statement, not at ``else``/``except``
    …, and a decorated statement's piece starts at its first decorator, at the text's start too."""
    for head in ("", "import os\n"):
        text = head + "@d\n@e(1)\ndef f():\n    pass\nelse_ = 1\nif x:\n    y()\nelse:\n    z()\n" + TRICKY
        starts = [at for at, _ in P._cuts(text)]
        assert starts[0] == 0 and text.index("@d") in starts
        assert text.index("@e") not in starts and text.index("def f") not in starts
        assert text.index("else_") in starts and text.index("else:") not in starts
        assert chunked(text) == whole(text)


def test_short_text_and_carriage_returns_are_parsed_whole():
    assert P._cuts("import os\nos.system('ls')\n") == []
    assert P._cuts(TRICKY.replace("\n", "\r\n")) == []
    assert chunked(TRICKY.replace("\n", "\r\n")) == whole(TRICKY.replace("\n", "\r\n"))


def test_the_kept_chunks_are_bounded(monkeypatch):
    monkeypatch.setattr(P, "MAX_CHUNKS", 8)
    P._chunks.clear()
    chunked(TRICKY)
    assert len(P._chunks) == 8


@pytest.mark.parametrize("text", [
    "'''" + "x\n" * 3000,                      # an unterminated string over the whole text
    "'" + "\\" * 5000 + "\n" + "y = 1\n" * 500,  # backslashes, then lines that would parse alone
    ("a = '" + "b" * 100 + "\n") * 100,         # unterminated one-line strings
])
def test_hostile_text_gets_the_whole_texts_answer(text):
    want, why = P._whole(text)
    P.parse.cache_clear()
    got, got_why = P.parse(text)
    assert got_why == why and (got is None) == (want is None)
    assert got is None or ast.dump(got) == ast.dump(want)
