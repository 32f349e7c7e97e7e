"""JavaScript and TypeScript (node, deno, bun, tsx), read with tree-sitter grammars into the shell
analyser's actions.

``analyse`` parses the code with tree-sitter-javascript, or tree-sitter-typescript for TypeScript
(deno and bun run both), within the call's CPU parse budget; ``evaluate.Evaluator`` runs the tree
abstractly and ``library`` knows what ``child_process``, ``fs``, ``fetch``/``http``/``axios``,
``process.env``, ``eval``/``Function``/``vm`` and the ``Deno``/``Bun`` spellings do. The grammars are
loaded from their bindings (``vectimus.native.grammar``) the first time a call runs JavaScript.
"""

from __future__ import annotations

import time
from typing import Any

from vectimus.analyser.context import MAX_PARSE_SECONDS, Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.languages.effects import Effects

TYPESCRIPT = ("typescript",)  # languages parsed with the TypeScript grammar
_PARSERS: dict[str, Any] = {}


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
    """The syntax tree of ``data``; Unanalysable when parsing overruns the call's parse budget."""
    deadline = an.parse_deadline
    p = parser(lang)
    try:
        tree = p.parse(lambda offset, _point: data[offset:],
                       progress_callback=lambda _offset, _error: time.thread_time() > deadline)
    except ValueError:  # cancelled by the progress callback
        p.reset()
        raise Unanalysable(f"{lang} code too complex to parse in {MAX_PARSE_SECONDS:g} s of CPU time") from None
    return tree.root_node


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record the actions of JavaScript/TypeScript ``code`` that ``cmd`` runs."""
    from vectimus.analyser.languages.javascript.evaluate import Evaluator

    lang = "typescript" if lang in TYPESCRIPT else "node"
    data = code.text.encode("utf-8", "surrogatepass")
    root = parse(an, lang, data)
    fx = Effects(an, cmd, "node")
    if root.has_error:
        fx.give_up(_first_error(root))
    Evaluator(an, fx, code, data, lang).run(root)


def _first_error(root) -> str:
    """A one-line reason naming where the code stops parsing."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return f"syntax error at line {node.start_point[0] + 1}"
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return "syntax error"
