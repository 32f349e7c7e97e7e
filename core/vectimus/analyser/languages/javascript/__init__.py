"""JavaScript and TypeScript (node, deno, bun, tsx), read with tree-sitter grammars into the shell
analyser's actions.

``analyse`` parses the code with tree-sitter-javascript, or tree-sitter-typescript for TypeScript
(deno and bun run both), within the call's CPU parse budget; ``evaluate.Evaluator`` runs the tree
abstractly and ``library`` knows what ``child_process``, ``fs``, ``fetch``/``http``/``axios``,
``process.env``, ``eval``/``Function``/``vm`` and the ``Deno``/``Bun`` spellings do. The grammars are
loaded from their bindings (``vectimus.native.grammar``) the first time a call runs JavaScript.
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import patching
from vectimus.analyser.languages.effects import Effects
from vectimus.analyser.languages.javascript.evaluate import Evaluator
from vectimus.analyser.languages.javascript.parse import TYPESCRIPT, parse


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record the actions of JavaScript/TypeScript ``code`` that ``cmd`` runs."""
    lang = "typescript" if lang in TYPESCRIPT else "node"
    data = code.text.encode("utf-8", "surrogatepass")
    root = parse(an, lang, data)
    fx = Effects(an, cmd, "node")
    patching.seen(an, code.text)
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
