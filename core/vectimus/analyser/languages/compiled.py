"""What Go and Rust analysers share: a program's own helper functions and ``host:port`` peers.

Code that is compiled and then run is written in functions; a refused agent moves the call it was
refused into a helper (``func run(c string) { exec.Command("sh", "-c", c).Run() }``). ``Compiled``
binds each parameter of a function declared in the program to the value its call sites pass
(one value known when every call agrees, else a run-time value), so what the helper runs is
analysed as if it were written at the call. Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import Word
from vectimus.analyser.languages.code import Code, dynamic


class Compiled(Code):
    """A ``Code`` walk that also binds the parameters of the program's own functions."""

    FUNCTIONS: tuple[str, ...] = ()   # node types that declare a function
    CALL = "call_expression"

    def __init__(self, an, cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        self.params: dict[str, list[str]] = {}  # function name -> its parameter names
        self.bound: dict[str, Word | None] = {}  # a parameter's value from the call sites (None: several)
        self.lists: dict[str, object] = {}      # variable -> the list literal it was given

    def root(self):
        root = super().root()
        for node in self.declarations(root):
            if node.type in self.FUNCTIONS:
                name = node.child_by_field_name("name")
                if name is not None:
                    self.params[self.node_text(name)] = self.parameters(node)
        return root

    def declarations(self, root):
        """The function declarations of the program (top level, and one level of modules/impls)."""
        for node in root.named_children:
            yield node
            body = node.child_by_field_name("body")
            if body is not None and body.type == "declaration_list":
                yield from body.named_children

    def parameters(self, node) -> list[str]:
        """The parameter names of the function declared by ``node``, in order."""
        return []

    def bind(self, name: str, value_node) -> None:
        """``name`` is given the value of ``value_node`` (a list literal is remembered as such)."""
        value = self.value(value_node) if value_node is not None else dynamic()
        old = self.consts.get(name, value)
        self.consts[name] = value if not value.dynamic and old == value else None
        if value_node is not None and value_node.type in self.LISTS:
            self.lists[name] = value_node
        ref = self.reference(value_node) if value_node is not None else None
        if ref is not None:
            self.aliases.setdefault(name, ref)

    LISTS: tuple[str, ...] = ()

    def assignment(self, node):
        """Every ``(name, value)`` pair ``node`` assigns is bound here; a call of one of the program's
        functions binds its parameters to the call's arguments."""
        if node.type == self.CALL:
            found = self.call(node)
            params = self.params.get(found[0]) if found is not None else None
            for i, param in enumerate(params or ()):
                self.bind(param, found[1][i] if found is not None and i < len(found[1]) else None)
            return None
        for name, value_node in self.pairs(node):
            self.bind(name, value_node)
        return None

    def pairs(self, node) -> list[tuple[str, object]]:
        """The ``(variable, value node)`` pairs an assignment ``node`` makes."""
        return []

    def apply(self, name: str, args: list, node) -> None:
        if name in self.ENV_CALLS:  # os.Getenv("API_TOKEN") wherever it is: what the code sends carries it
            self.value(node)
        else:
            super().apply(name, args, node)

    def items(self, node) -> list[Word]:
        """The values of a list literal, a variable given one, or ``node`` itself."""
        name = self.variable(node) if node is not None else None
        if name is not None and name in self.lists:
            node = self.lists[name]
        if node is not None and node.type in self.LISTS:
            return [self.value(c) for c in self.elements(node)]
        return [self.value(node)]

    def elements(self, node) -> list:
        """The element nodes of a list literal ``node``."""
        return [c for c in node.named_children if c.type not in ("comment", "line_comment", "block_comment")]


def peer(address: Word) -> tuple[Word | None, int]:
    """``host:port`` (Go's and Rust's address strings; ``[::1]:22`` too) as a host and a port."""
    host, _, port = address.text.rpartition(":")
    if not host and not address.dynamic:
        return None, 0
    host = host.strip("[]") if host else address.text
    return Word(host, address.dynamic), int(port) if port.isdigit() else 0
