"""Lua (tree-sitter-lua): ``os.execute`` and ``io.popen``, ``os.remove``/``os.rename``, ``io.open`` by
mode, LuaSocket connections (``socket.tcp():connect``, ``socket.connect``) and HTTP requests, and
``load``/``loadstring`` of strings.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import loads, record
from vectimus.analyser.languages.code import Code, analyse_with, dynamic, unescape

EFFECTS = {
    "print": "show", "io.write": "show",
    "os.execute": "shell", "io.popen": "shell",
    "os.remove": "delete", "os.rename": "move", "io.open": "open", "io.lines": "read",
    "dofile": "load", "loadfile": "load", "require": "load",
    "load": "eval", "loadstring": "eval",
    "socket.connect": "socket", ":connect": "socket", "socket.tcp.connect": "socket",
    "http.request": "url", "socket.http.request": "url", "https.request": "url",
}
MODULES = frozenset(name.partition(".")[0] for name in EFFECTS if "." in name and not name.startswith(":"))


class Lua(Code):
    lang = "lua"
    grammar = "lua"
    EFFECTS = EFFECTS
    ASSIGNMENTS = ("assignment_statement",)
    CONCAT = {"binary_expression": ("..",)}
    ENV_CALLS = frozenset(("os.getenv",))
    INERT_CALLS = frozenset(("tonumber", "math.floor", "math.ceil", "string.len", "utf8.len"))

    def dotted(self, node) -> str | None:
        """``os.execute``, ``os["execute"]``, ``_G.os.execute`` as the name they reach (``os.?``
        when the field is computed at run time)."""
        if node.type == "identifier":
            return self.node_text(node)
        if node.type == "bracket_index_expression":
            table, field = node.child_by_field_name("table"), node.child_by_field_name("field")
            head = self.dotted(table) if table is not None else None
            if head is None or field is None:
                return None
            key = self.value(field)
            return f"{head}.{'?' if key.dynamic else key.text}".removeprefix("_G.")
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
            return f"{head}.{self.node_text(field)}".removeprefix("_G.") if head is not None else None
        return None

    def reference(self, node):
        if node.type not in ("identifier", "dot_index_expression", "bracket_index_expression"):
            return None
        name = self.dotted(node)
        name = self.canonical(name) if name is not None else None  # `local e = os.execute; t = {e}`
        return name if name is not None and (name in EFFECTS or name in MODULES) else None

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
        if arguments.type != "arguments":
            return name, [arguments]  # f"str", f{…}
        args = [c for c in arguments.named_children if c.type != "comment"]
        if name in ("pcall", "xpcall", "coroutine.wrap") and args:  # pcall(f, …) calls f with the rest
            called = self.reference(args[0]) or self.canonical(self.dotted(args[0]) or "")
            return called, args[2 if name == "xpcall" else 1:]
        return name, args

    def apply(self, name: str, args: list, node) -> None:
        head, _, field = name.rpartition(".")
        if field == "?" and head in MODULES:  # os[x](…): a function of os chosen at run time
            record.evaluate(self.an, self.cmd, self.lang, dynamic(), f"lua {name}")
        elif name in ("http.request", "socket.http.request", "https.request") and len(args) > 1:
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
        target, value = names[0].named_children[0], values[0].named_children[0]
        if target.type != "identifier":
            return None
        if value.type == "table_constructor":  # t = {f = os.execute, os.remove}: t.f, t[2] name them
            position = 0
            for field in value.named_children:
                key, item = field.child_by_field_name("name"), field.child_by_field_name("value")
                position += key is None
                ref = self.reference(item) if item is not None else None
                if ref is not None:
                    self.aliases.setdefault(f"{self.node_text(target)}.{self.node_text(key) if key else position}", ref)
        return self.node_text(target), value

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


    def load(self, name: str, spec: Word) -> None:
        """``require("a.b")`` looks for ``./a/b.lua`` (``package.path``); ``dofile`` names the file."""
        if name == "require" and not spec.dynamic:
            if spec.text.startswith(("/", ".")):
                return
            spec = Word(spec.text.replace(".", "/"))
            loads.follow(self.an, self.cmd, self.lang, spec, "lua require", suffixes=(".lua", "/init.lua"),
                         dirs=(self.an.target(Word("."), self.cmd.scope).path,))
        else:
            super().load(name, spec)


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Lua ``code`` does."""
    analyse_with(Lua, an, cmd, code)

