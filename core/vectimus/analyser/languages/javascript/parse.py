"""JavaScript/TypeScript source to a tree-sitter tree, within the call's CPU parse budget.

The grammars come from their packages' bindings (``vectimus.native.grammar``), loaded the first time
a call runs code in that language; one parser per grammar, kept for the process, and the trees of
the last few texts.
"""

from __future__ import annotations

from typing import Any

from vectimus.analyser.context import Analysis
from vectimus.analyser.parse import budgeted

TYPESCRIPT = ("typescript",)  # languages parsed with the TypeScript grammar
_PARSERS: dict[str, Any] = {}
MAX_TREES = 16
_TREES: dict[tuple[bool, bytes], Any] = {}  # (TypeScript?, source) -> root node, oldest first


def parser(lang: str) -> Any:
    """The process-wide tree-sitter parser for ``lang`` ("node" or "typescript")."""
    grammar = "typescript" if lang in TYPESCRIPT else "javascript"
    found = _PARSERS.get(grammar)
    if found is None:
        import tree_sitter

        from vectimus.native import grammar as load

        language = load("tree_sitter_typescript", "language_typescript") if grammar == "typescript" \
            else load("tree_sitter_javascript")
        found = _PARSERS[grammar] = tree_sitter.Parser(tree_sitter.Language(language))
    return found


def parse(an: Analysis, lang: str, data: bytes) -> Any:
    """The syntax tree of ``data``; Unanalysable when parsing overruns the call's parse budget.

    Trees are kept for the last few texts (a tree-sitter tree does not change once parsed, and
    the evaluator only reads it): the daemon analyses a script when it is written and again when
    it runs."""
    key = (lang in TYPESCRIPT, data)
    root = _TREES.pop(key, None)
    if root is None:
        root = budgeted(parser(lang), data, an, f"{lang} code")
    _TREES[key] = root  # the most recently used last
    while len(_TREES) > MAX_TREES:
        _TREES.pop(next(iter(_TREES)), None)
    return root
