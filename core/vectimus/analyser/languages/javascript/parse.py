"""JavaScript/TypeScript source to a tree-sitter tree, within the call's CPU parse budget.

The grammars come from their packages' bindings (``vectimus.native.grammar``), loaded the first time
a call runs code in that language; one parser per grammar, kept for the process, and the trees of
the last few texts. A text that is mostly the last one parsed with its grammar (an Edit of a
script) is parsed incrementally: a copy of that tree is edited to the new text and tree-sitter
reuses what the edit left alone. A tree with a syntax error is parsed again from scratch, so the
tree a text gets never depends on the text before it where error recovery might.
"""

from __future__ import annotations

from typing import Any

from vectimus.analyser.context import Analysis
from vectimus.analyser.parse import reparsed

TYPESCRIPT = ("typescript",)  # languages parsed with the TypeScript grammar
_PARSERS: dict[str, Any] = {}
MAX_TREES = 16
_TREES: dict[tuple[bool, bytes], Any] = {}  # (TypeScript?, source) -> tree, the most recently used last


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
    tree = _TREES.pop(key, None)
    if tree is None:
        tree = _parse(an, lang, key)
    _TREES[key] = tree  # the most recently used last
    while len(_TREES) > MAX_TREES:
        _TREES.pop(next(iter(_TREES)), None)
    return tree.root_node


def _parse(an: Analysis, lang: str, key: tuple[bool, bytes]) -> Any:
    """The tree of a text not kept: from the last tree of its grammar edited to it when most of
    the text is unchanged and it parses without error, else parsed whole."""
    typescript, data = key
    last = next((k for k in reversed(_TREES) if k[0] == typescript), None)
    return reparsed(parser(lang), data, an, f"{lang} code", (last[1], _TREES[last]) if last is not None else None)
