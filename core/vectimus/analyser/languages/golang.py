"""Go (tree-sitter-go): ``os/exec`` commands, ``syscall.Exec`` and ``os.StartProcess``, ``os`` file
deletes, writes and reads, the environment (``os.Getenv``, ``os.UserHomeDir``, ``os.Environ``),
``net/http`` requests and ``net.Dial`` connections (a shell on one is a reverse shell).

Calls are named by the import path of their package whatever the file calls it (``x "os/exec"``,
a dot import), so ``x.Command`` and ``Command`` are both ``os/exec.Command``.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import record
from vectimus.analyser.languages.code import analyse_with, dynamic, unescape
from vectimus.analyser.languages.compiled import VARIADIC, Compiled, peer

EFFECTS = {
    "os/exec.Command": "command", "os/exec.CommandContext": "command",
    "syscall.Exec": "argv_list", "os.StartProcess": "argv_list", "syscall.ForkExec": "argv_list",
    "os.Remove": "delete", "os.RemoveAll": "delete_r", "syscall.Unlink": "delete", "syscall.Rmdir": "delete",
    "os.WriteFile": "write_text", "io/ioutil.WriteFile": "write_text",
    "os.Create": "write", "os.Chmod": "write", "os.Truncate": "write", "os.OpenFile": "open_flags",
    "os.ReadFile": "read", "io/ioutil.ReadFile": "read", "os.Open": "read", "io/ioutil.ReadDir": "read",
    "os.Rename": "move", "os.Symlink": "link", "os.Link": "hardlink",
    "os.Environ": "env_dump", "syscall.Environ": "env_dump",
    "path/filepath.Join": "join", "path.Join": "join",
    "path/filepath.Clean": "same", "path/filepath.Abs": "same", "path.Clean": "same", "string": "same",
    "strings.TrimSpace": "same", "os.ExpandEnv": "same",
    "net/http.Get": "url", "net/http.Head": "url",
    "net/http.Post": "url_send", "net/http.PostForm": "url_send",
    "net/http.NewRequest": "request", "net/http.NewRequestWithContext": "request",
    "net.Dial": "dial", "net.DialTimeout": "dial", "crypto/tls.Dial": "dial", "net.DialTCP": "dial",
}
TEMP_DIRS = frozenset(("os.TempDir", "os.MkdirTemp", "io/ioutil.TempDir", ".TempDir"))


class Go(Compiled):
    lang = "go"
    grammar = "go"
    EFFECTS = EFFECTS
    FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")
    ASSIGNMENTS = ("short_var_declaration", "assignment_statement", "var_spec", "const_spec", "call_expression")
    CONCAT = {"binary_expression": ("+",)}
    LISTS = ("composite_literal",)
    LOOPS = ("for_statement",)
    HOME_CALLS = frozenset(("os.UserHomeDir",))
    ENV_CALLS = frozenset(("os.Getenv", "os.LookupEnv", "syscall.Getenv"))
    DECODERS = frozenset(f"encoding/base64.{e}.DecodeString" for e in
                         ("StdEncoding", "URLEncoding", "RawStdEncoding", "RawURLEncoding"))

    def __init__(self, an, cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        self.imports: dict[str, str] = {}  # the name a file uses for a package -> its import path
        self.dotted_in: list[str] = []     # packages imported with `.`

    def root(self):
        root = super().root()
        for node in root.named_children:
            if node.type == "import_declaration":
                for spec in _specs(node):
                    path_node, name = spec.child_by_field_name("path"), spec.child_by_field_name("name")
                    path = self.value(path_node).text if path_node is not None else ""
                    alias = self.node_text(name) if name is not None else path.rpartition("/")[2]
                    if alias == ".":
                        self.dotted_in.append(path)
                    elif alias != "_" and path:
                        self.imports[alias] = path
        return root

    def declared(self, node) -> str | None:
        if node.type == "func_literal":
            return None  # a closure: walked with the function around it
        name = super().declared(node)
        return f".{name}" if name is not None and node.type == "method_declaration" else name

    def parameters(self, node) -> list[str]:
        params = node.child_by_field_name("parameters")
        return [(VARIADIC if p.type == "variadic_parameter_declaration" else "") + self.node_text(n)
                for p in (params.named_children if params is not None else ())
                for n in p.children_by_field_name("name")]

    def spread(self, node) -> list[Word]:
        if node.type == "variadic_argument":  # run("sh", args...)
            inner = node.named_children[0] if node.named_children else None
            known = inner is not None and (inner.type in self.LISTS or self.variable(inner) in self.lists)
            return self.items(inner) if known else [dynamic()]
        return super().spread(node)

    def loop_parts(self, node):
        """``for _, NAME := range []string{..}`` (the value, not the index)."""
        clause = next((c for c in node.named_children if c.type == "range_clause"), None)
        left = clause.child_by_field_name("left") if clause is not None else None
        names = left.named_children if left is not None else []
        if len(names) != 2 or names[1].type != "identifier" or clause.child_by_field_name("right") is None:
            return None
        return self.node_text(names[1]), clause.child_by_field_name("right")

    def pairs(self, node):
        if node.type in ("var_spec", "const_spec"):
            names = node.children_by_field_name("name")
            values = node.child_by_field_name("value")
        else:
            left, values = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = left.named_children if left is not None else []
        items = values.named_children if values is not None else []
        if len(items) == 1 and len(names) > 1:  # home, err := os.UserHomeDir(): the first result
            items = items + [None] * (len(names) - 1)
        return [(self.node_text(n), v) for n, v in zip(names, items)
                if n.type == "identifier" and self.node_text(n) != "_"]

    def dotted(self, node) -> str | None:
        """``exec.Command``, ``base64.StdEncoding.DecodeString`` as import path and names."""
        if node.type == "identifier":
            text = self.node_text(node)
            for package in self.dotted_in:  # . "os": Remove is os.Remove
                if f"{package}.{text}" in EFFECTS or f"{package}.{text}" in self.HOME_CALLS | self.ENV_CALLS:
                    return f"{package}.{text}"
            return text
        if node.type == "selector_expression":
            operand, field = node.child_by_field_name("operand"), node.child_by_field_name("field")
            if operand is None or field is None:
                return None
            if operand.type == "identifier" and self.node_text(operand) in self.imports:
                return f"{self.imports[self.node_text(operand)]}.{self.node_text(field)}"
            head = self.dotted(operand) if operand.type == "selector_expression" else None
            return f"{head}.{self.node_text(field)}" if head is not None else f".{self.node_text(field)}"
        if node.type == "parenthesized_expression" and node.named_children:
            return self.dotted(node.named_children[0])
        return None

    def reference(self, node):
        if node is None or node.type not in ("identifier", "selector_expression"):
            return None
        name = self.dotted(node)
        name = self.canonical(name) if name is not None else None  # run := exec.Command; run("sh", …)
        return name if name in EFFECTS else None

    def call(self, node):
        if node.type != "call_expression":
            return None
        function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        name = self.dotted(function) if function is not None else None
        if name is None:
            return None
        return name, [c for c in (arguments.named_children if arguments is not None else ()) if c.type != "comment"]

    def variable(self, node):
        return self.node_text(node) if node.type == "identifier" else None

    def literal(self, node):
        if node.type == "interpreted_string_literal":
            return Word(unescape(self.node_text(node)[1:-1]))
        if node.type == "raw_string_literal":
            return Word(self.node_text(node)[1:-1])
        if node.type == "int_literal":
            return Word(self.node_text(node))
        return None

    def elements(self, node) -> list:
        body = node.child_by_field_name("body")  # []string{"-c", x}
        return [c.named_children[-1] for c in (body.named_children if body is not None else ())
                if c.type in ("literal_element", "keyed_element") and c.named_children]

    def value(self, node, depth: int = 0) -> Word:
        if node is not None and node.type == "type_conversion_expression":  # []byte("…")
            return super().value(node.child_by_field_name("operand"), depth + 1)
        if node is not None and node.type in ("unary_expression", "parenthesized_expression") \
                and len(node.named_children) == 1:  # &x, (x)
            return super().value(node.named_children[0], depth + 1)
        found = self.call(node) if node is not None else None
        if found is not None and found[0] in ("fmt.Sprintf", "fmt.Sprint") and found[1]:
            return self.sprintf(found[0], found[1], depth)
        if found is not None and found[0] in TEMP_DIRS:  # t.TempDir(), os.MkdirTemp("", "x")
            return record.temporary(self.an, found[0] != "os.TempDir")
        if found is not None and found[0] == "strings.Join" and found[1]:
            return record.join([w for i, item in enumerate(self.items(found[1][0]))
                                for w in ([self.value(found[1][1])] if i and len(found[1]) > 1 else []) + [item]])
        return super().value(node, depth)

    def sprintf(self, name: str, args: list, depth: int) -> Word:
        """``fmt.Sprintf("%s/.ssh/id_rsa", home)``: verbs replaced by the values given, in order."""
        if name == "fmt.Sprint":
            return record.join([self.value(a, depth + 1) for a in args])
        return self.fill(self.value(args[0], depth + 1), r"%[-+# 0-9.]*[a-zA-Z%]", args[1:], depth,
                         lambda m, next_value: Word("%") if m.group() == "%%" else next_value())

    def effect(self, name: str, args: list, node) -> None:
        kind = self.EFFECTS.get(name)
        via = f"go {name}"
        if kind == "command":  # exec.Command(name, args...): an argv, run by no shell
            args = args[1:] if name.endswith("Context") else args
            record.argv(self.an, self.cmd, self.argv_words(args), via)
        elif kind == "argv_list" and len(args) > 1:  # syscall.Exec(path, argv, env)
            words = self.items(args[1])
            record.argv(self.an, self.cmd, [self.value(args[0]), *words[1:]] if words else [self.value(args[0])], via)
        elif kind == "open_flags" and args:
            flags = self.node_text(args[1]) if len(args) > 1 else ""
            write = re.search(r"O_(WRONLY|RDWR|CREATE|APPEND|TRUNC)", flags) or len(args) < 2
            record.file(self.an, self.cmd, "file_write" if write else "file_read", self.value(args[0]))
        elif kind in ("request", "dial"):
            self.later.append((kind, name, args, node))
        elif kind == "write_text" and args:
            record.write_text(self.an, self.cmd, self.value(args[0]),
                              self.value(args[1]) if len(args) > 1 else dynamic())
        else:
            super().effect(name, args, node)

    def argv_words(self, args: list) -> list[Word]:
        words: list[Word] = []
        for arg in args:
            words += self.spread(arg)  # exec.Command("sh", args...)
        return words

    def send(self, kind: str, name: str, args, node, secret: bool) -> None:
        if kind == "dial":  # net.Dial("tcp", "host:port")
            host, port = peer(self.value(args[1])) if len(args) > 1 else (None, 0)
            if host is not None:
                record.socket(self.an, self.cmd, host, port)
        elif kind == "request":  # http.NewRequest(method, url, body): a body is sent
            args = args[1:] if name.endswith("WithContext") else args
            if len(args) > 1:
                body = args[2] if len(args) > 2 and self.node_text(args[2]) != "nil" else None
                super().send("url_send" if body is not None else "url", name, args[1:], node, secret)
        else:
            super().send(kind, name, args, node, secret)


def _specs(node):
    for child in node.named_children:
        if child.type == "import_spec":
            yield child
        elif child.type == "import_spec_list":
            yield from (c for c in child.named_children if c.type == "import_spec")


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Go ``code`` does."""
    analyse_with(Go, an, cmd, code)
