"""R's syntax, read without a grammar (none is on PyPI): a tokenizer that knows R's strings (also raw
``r"(…)"``), comments, backticked names and operators, and a small parser into ``Node``s: calls
(their arguments matched to the parameters a table of signatures names), assignments, groups and
blocks; everything else is kept as leaves so nested calls are still found.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import MAX_NESTING, Analysis, Unanalysable
from vectimus.analyser.languages import record
from vectimus.analyser.languages.code import unescape

_TOKEN = re.compile(r"""
    (?P<skip>[ \t\r\f]+|\#[^\n]*)
  | (?P<nl>\n)
  | (?P<raw>[rR]["'](?P<dashes>-*)(?P<open>[(\[{]))
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<num>0[xX][0-9a-fA-F]+L?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[Li]?)
  | (?P<name>`[^`]*`|[A-Za-z.][A-Za-z0-9._]*)
  | (?P<op>:::|::|<<-|->>|<-|->|\|>|%[^%\n]*%|==|!=|<=|>=|&&|\|\||\[\[|[-+*/^<>=!&|~?:$@,;(){}\[\]\\])
""", re.X)
_CLOSE = {"(": ")", "[": "]", "{": "}"}

class Node:
    """A node of the small R syntax tree (the shape the shared walker needs)."""

    __slots__ = ("type", "text", "named_children", "name", "args", "positional", "parent")

    def __init__(self, type: str, text: str = "", children: list | None = None) -> None:
        self.type, self.text = type, text
        self.named_children: list[Node] = children or []
        self.name = ""
        self.args: dict[str, Node] = {}      # a call's arguments by parameter name
        self.positional: list[Node] = []     # a call's unnamed arguments
        self.parent: Node | None = None


class RParser:
    """Tokens to statements of ``Node``s: calls (with arguments by parameter name), assignments,
    groups and blocks; everything else is kept as leaves so nested calls are still found."""

    def __init__(self, an: Analysis, text: str, signatures: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self.an, self.signatures = an, signatures
        self.toks = self.tokens(text)
        self.pos = 0

    def tokens(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if len(out) % 256 == 0:
                self.an.tick(256)
                record.budget(self.an, "R")
            m = _TOKEN.match(text, pos)
            if m is None:
                raise Unanalysable(f"R code that cannot be tokenized: {text[pos:pos + 20]!r}")
            kind = m.lastgroup
            if kind == "raw":  # r"(…)": up to the matching close, quote and dashes
                close = _CLOSE[m.group("open")] + m.group("dashes") + m.group()[1]
                end = text.find(close, m.end())
                if end < 0:
                    raise Unanalysable("R raw string without its end")
                out.append(("str", text[m.end():end]))
                pos = end + len(close)
                continue
            pos = m.end()
            if kind in ("skip", "dashes", "open"):
                continue
            value = m.group()
            if kind == "str":
                value = unescape(value[1:-1])
            elif kind == "name" and value.startswith("`"):
                value = value[1:-1]
            out.append(("op" if kind == "nl" else kind or "op", value))
        return out

    def peek(self, offset: int = 0) -> tuple[str, str]:
        i = self.pos + offset
        return self.toks[i] if i < len(self.toks) else ("eof", "")

    def program(self) -> Node:
        return Node("program", children=self.statements(None, 0))

    def statements(self, close: str | None, depth: int) -> list[Node]:
        out = []
        while self.pos < len(self.toks):
            kind, text = self.peek()
            if close is not None and text == close:
                self.pos += 1
                break
            if text in ("\n", ";"):
                self.pos += 1
                continue
            at = self.pos
            out.append(self.expression(close, depth))
            if self.pos == at:  # a stray closing bracket: R would stop here, nothing more runs
                self.pos += 1
        return out

    def expression(self, close: str | None, depth: int, stops: tuple[str, ...] = ("\n", ";")) -> Node:
        """Tokens up to a statement end (or ``,`` / the closing bracket inside brackets)."""
        if depth > MAX_NESTING:
            raise Unanalysable("R code nested too deeply")
        parts: list[Node] = []
        while self.pos < len(self.toks):
            self.an.tick()
            kind, text = self.peek()
            if text in stops or (close is not None and text == close) or text in (")", "]", "]]", "}"):
                if text == "\n" and parts and parts[-1].type == "op" and parts[-1].text not in (")", "]"):
                    self.pos += 1  # a line ending in an operator continues
                    continue
                break
            self.pos += 1
            if kind == "name" and self.peek()[1] in ("::", ":::") and self.peek(1)[0] == "name":
                text = f"{text}::{self.peek(1)[1]}"
                self.pos += 2
            if kind == "name" and self.peek()[1] == "(":
                self.pos += 1
                parts.append(self.call(text, depth + 1))
            elif text in ("(", "[", "[["):
                end = ")" if text == "(" else "]" if text == "[" else "]]"
                inner = self.expression(end, depth + 1, stops=(",",))
                group = [inner]
                while self.peek()[1] == ",":
                    self.pos += 1
                    group.append(self.expression(end, depth + 1, stops=(",",)))
                if self.peek()[1] == end:
                    self.pos += 1
                elif end == "]]" and self.peek()[1] == "]":
                    self.pos += 1
                parts.append(Node("group" if text == "(" else "index", children=group))
            elif text == "{":
                parts.append(Node("block", children=self.statements("}", depth + 1)))
            else:
                parts.append(Node({"str": "string", "num": "number", "name": "identifier"}.get(kind, "op"), text))
        node = Node("expression", children=parts)
        for child in parts:
            child.parent = node
        return parts[0] if len(parts) == 1 else node

    def call(self, name: str, depth: int) -> Node:
        node = Node("call", name)
        node.name = name
        positional: list[Node] = []
        while self.pos < len(self.toks) and self.peek()[1] != ")":
            if self.peek()[1] in (",", "\n"):
                self.pos += 1
                continue
            key = None
            if self.peek()[0] in ("name", "str") and self.peek(1)[1] == "=":
                key = self.peek()[1]
                self.pos += 2
            at = self.pos
            value = self.expression(")", depth, stops=(",",))
            if self.pos == at:
                self.pos += 1  # a stray ] or }: skip it
                continue
            value.parent = node
            node.named_children.append(value)
            if key is None:
                positional.append(value)
            else:
                node.args[key] = value
        self.pos += 1
        params = self.signatures.get(name, ("", ()))[1]
        for param, value in zip([p for p in params if p not in node.args], positional):
            node.args[param] = value
        node.positional = positional
        return node
