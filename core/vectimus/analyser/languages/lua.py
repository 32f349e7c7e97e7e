"""Lua (tree-sitter-lua): ``os.execute`` and ``io.popen``, ``os.remove``/``os.rename``, ``io.open`` by
mode, LuaSocket connections (``socket.tcp():connect``, ``socket.connect``) and HTTP requests, and
``load``/``loadstring`` of strings.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages.code import Code, analyse_with, unescape

EFFECTS = {
    "os.execute": "shell", "io.popen": "shell",
    "os.remove": "delete", "os.rename": "move", "io.open": "open", "io.lines": "read",
    "dofile": "read", "loadfile": "read",
    "load": "eval", "loadstring": "eval",
    "socket.connect": "socket", ":connect": "socket", "socket.tcp.connect": "socket",
    "http.request": "url", "socket.http.request": "url", "https.request": "url",
}


class Lua(Code):
    lang = "lua"
    grammar = "lua"
    EFFECTS = EFFECTS
    ASSIGNMENTS = ("assignment_statement",)
    CONCAT = {"binary_expression": ("..",)}
    ENV_CALLS = frozenset(("os.getenv",))

    def dotted(self, node) -> str | None:
        if node.type == "identifier":
            return self.node_text(node)
        if node.type == "dot_index_expression":
            table, field = node.child_by_field_name("table"), node.child_by_field_name("field")
            if table is None or field is None:
                return None
            if table.type == "function_call":  # require("socket").connect
                inner = self.call(table)
                if inner and inner[0] == "require" and inner[1]:
                    return f"{self.value(inner[1][0]).text}.{self.node_text(field)}"
                return None
            head = self.dotted(table)
            return f"{head}.{self.node_text(field)}" if head is not None else None
        return None

    def call(self, node):
        if node.type != "function_call":
            return None
        target = node.child_by_field_name("name")
        if target is None:
            return None
        if target.type == "method_index_expression":
            method = target.child_by_field_name("method")
            name = f":{self.node_text(method)}" if method is not None else None
        else:
            name = self.dotted(target)
        if name is None:
            return None
        arguments = node.child_by_field_name("arguments")
        if arguments is None:
            return name, []
        if arguments.type == "arguments":
            return name, [c for c in arguments.named_children if c.type != "comment"]
        return name, [arguments]  # f"str", f{…}

    def apply(self, name: str, args: list, node) -> None:
        if name in ("http.request", "socket.http.request", "https.request") and len(args) > 1:
            self.later.append(("url_send", name, args, node))  # a body: a POST
        elif name == ":connect" and not (args and args[0].type == "string"):
            return  # :connect on something that is not evidently a socket
        else:
            super().apply(name, args, node)

    def assignment(self, node):
        names = [c for c in node.named_children if c.type == "variable_list"]
        values = [c for c in node.named_children if c.type == "expression_list"]
        if not names or not values or len(names[0].named_children) != 1 or len(values[0].named_children) != 1:
            return None
        target = names[0].named_children[0]
        if target.type != "identifier":
            return None
        return self.node_text(target), values[0].named_children[0]

    def variable(self, node):
        if node.type == "identifier" and node.parent is not None and node.parent.type not in (
                "dot_index_expression", "method_index_expression", "function_call", "variable_list"):
            return self.node_text(node)
        return None

    def literal(self, node):
        if node.type == "number":
            return Word(self.node_text(node))
        if node.type != "string":
            return None
        content = node.child_by_field_name("content")
        if content is None:
            return Word("")
        text = self.node_text(content)
        long_form = self.node_text(node).startswith("[")
        return Word(text if long_form else unescape(text))


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Lua ``code`` does."""
    analyse_with(Lua, an, cmd, code)

