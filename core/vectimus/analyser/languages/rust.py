"""Rust (tree-sitter-rust): ``std::process::Command`` builders (``.arg``/``.args``, also on a
variable), ``std::fs`` deletes, writes and reads, the environment (``std::env::var``,
``home_dir``, ``vars()``), ``TcpStream`` connections (a shell on one is a reverse shell),
``reqwest``/``ureq`` requests, and the files ``include_str!``/``include_bytes!`` read at compile time.

Paths are named in full whatever ``use`` calls them (``use std::process::Command as C``:
``C::new`` is ``std::process::Command::new``).
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.languages import record
from vectimus.analyser.languages.code import analyse_with, dynamic, unescape
from vectimus.analyser.languages.compiled import Compiled, Values, peer

FS = "std::fs::"
EFFECTS = {
    "std::process::Command::new": "command",
    **dict.fromkeys((FS + "remove_dir_all", "fs_extra::dir::remove", "remove_dir_all::remove_dir_all"), "delete_r"),
    **dict.fromkeys((FS + "remove_file", FS + "remove_dir"), "delete"),
    **dict.fromkeys((FS + "write",), "write_text"),
    **dict.fromkeys((FS + "File::create", FS + "create_dir_all", FS + "set_permissions", "std::os::unix::fs::chown"),
                    "write"),
    **dict.fromkeys((FS + "read_to_string", FS + "read", FS + "File::open", FS + "read_dir", FS + "read_link"), "read"),
    FS + "rename": "move", FS + "copy": "copy", FS + "hard_link": "hardlink",
    "std::os::unix::fs::symlink": "link",
    "std::env::vars": "env_dump", "std::env::vars_os": "env_dump",
    **dict.fromkeys(("std::path::PathBuf::from", "std::path::Path::new", "String::from", "std::ffi::OsString::from",
                     "std::ffi::OsStr::new"), "same"),
    **dict.fromkeys(("std::net::TcpStream::connect", "std::net::TcpStream::connect_timeout",
                     "tokio::net::TcpStream::connect", "std::net::UdpSocket::connect"), "socket"),
    **dict.fromkeys(("reqwest::get", "reqwest::blocking::get", "ureq::get", "attohttpc::get", "minreq::get"), "url"),
    **dict.fromkeys(("ureq::post", "ureq::put", "attohttpc::post", "minreq::post", "minreq::put"), "url_send"),
}
PASS_THROUGH = frozenset(("unwrap", "expect", "unwrap_or_default", "to_string", "to_owned", "as_str", "into",
                          "to_str", "display", "to_string_lossy", "clone", "as_path", "as_ref", "into_os_string",
                          "to_path_buf", "path", "into_path", "canonicalize", "unwrap_or_else", "ok"))
SENDS = frozenset(("post", "put", "patch"))
STD_PRELUDE = {"String": "String"}  # (a bare Command is clap's as often as std's: only `use` says)


class Rust(Compiled):
    lang = "rust"
    grammar = "rust"
    EFFECTS = EFFECTS
    FUNCTIONS = ("function_item",)
    ASSIGNMENTS = ("let_declaration", "assignment_expression", "call_expression")
    CONCAT = {"binary_expression": ("+",)}
    LISTS = ("array_expression",)
    LOOPS = ("for_expression",)
    HOME_CALLS = frozenset(("std::env::home_dir", "dirs::home_dir", "home::home_dir", "dirs_next::home_dir",
                            "simple_home_dir::home_dir"))
    ENV_CALLS = frozenset(("std::env::var", "std::env::var_os"))
    DECODERS = frozenset(("base64::decode", ".decode"))
    ACTS = frozenset((".arg", ".args", "include_str!", "include_bytes!", "include!", ".post", ".put", ".patch", ".get"))

    def __init__(self, an, cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        self.uses: dict[str, str] = {}   # the name a `use` brings in -> its full path
        self.globs: list[str] = []       # `use std::fs::*`
        self.builders: dict[str, list] = {}  # a variable holding a Command -> its .arg/.args calls

    def root(self):
        root = super().root()
        for node in self.nodes(root):
            if node.type == "use_declaration":
                argument = node.child_by_field_name("argument")
                if argument is not None:
                    self.use(argument, "")
        return root

    def use(self, node, prefix: str) -> None:
        """Record what the ``use`` tree ``node`` (under path ``prefix``) names."""
        def join(tail: str) -> str:
            return f"{prefix}::{tail}" if prefix else tail

        if node.type in ("identifier", "scoped_identifier", "crate", "self"):
            path = join(self.node_text(node).replace(" ", ""))
            last = path.rpartition("::")[2]
            if last == "self":
                path = path.rpartition("::")[0]
                last = path.rpartition("::")[2]
            self.uses[last] = path
        elif node.type == "use_as_clause":
            path, alias = node.child_by_field_name("path"), node.child_by_field_name("alias")
            if path is not None and alias is not None:
                self.uses[self.node_text(alias)] = join(self.node_text(path).replace(" ", ""))
        elif node.type == "scoped_use_list":
            path, items = node.child_by_field_name("path"), node.child_by_field_name("list")
            inner = join(self.node_text(path).replace(" ", "")) if path is not None else prefix
            for child in items.named_children if items is not None else ():
                self.use(child, inner)
        elif node.type == "use_list":
            for child in node.named_children:
                self.use(child, prefix)
        elif node.type == "use_wildcard" and node.named_children:
            self.globs.append(join(self.node_text(node.named_children[0]).replace(" ", "")))

    def path(self, text: str) -> str:
        """The full path a path expression names (``fs::write`` -> ``std::fs::write``)."""
        text = text.replace(" ", "").removeprefix("::")
        head, sep, tail = text.partition("::")
        if head in self.uses:
            return f"{self.uses[head]}{sep}{tail}"
        if head in STD_PRELUDE:
            return f"{STD_PRELUDE[head]}{sep}{tail}"
        for glob in self.globs:
            if f"{glob}::{text}" in EFFECTS or f"{glob}::{text}" in self.ENV_CALLS | self.HOME_CALLS:
                return f"{glob}::{text}"
        return text

    def declared(self, node) -> str | None:
        name = super().declared(node)
        params = node.child_by_field_name("parameters")
        method = params is not None and any(p.type == "self_parameter" for p in params.named_children)
        return f".{name}" if name is not None and method else name  # self.run(c), h.run(c)

    def parameters(self, node) -> list[str]:
        params = node.child_by_field_name("parameters")
        out = []
        for p in params.named_children if params is not None else ():
            if p.type != "parameter":
                continue  # self, attributes
            pattern = p.child_by_field_name("pattern")
            out.append(self.node_text(pattern).removeprefix("mut ").strip() if pattern is not None else "")
        return out

    def loop_parts(self, node):
        """``for NAME in [..]`` / ``&[..]`` / ``.iter()`` of either."""
        pattern, value = node.child_by_field_name("pattern"), node.child_by_field_name("value")
        while value is not None and (value.type == "reference_expression" or value.type == "call_expression"
                                     and self.node_text(value).endswith((".iter()", ".into_iter()"))):
            value = value.named_children[-1] if value.type == "reference_expression" \
                else value.child_by_field_name("function").child_by_field_name("value")
        if pattern is None or pattern.type != "identifier" or value is None:
            return None
        return self.node_text(pattern), value

    def pairs(self, node):
        target = node.child_by_field_name("pattern" if node.type == "let_declaration" else "left")
        value = node.child_by_field_name("value" if node.type == "let_declaration" else "right")
        if target is None or target.type != "identifier":
            return []
        if value is not None and self.command_of(value) is not None:  # let mut c = Command::new("sh")
            self.builders.setdefault(self.node_text(target), [])
        found = self.call(value) if value is not None and value.type == "macro_invocation" else None
        if found is not None and found[0] == "vec!":  # let args = vec!["-c", x]
            self.lists[self.node_text(target)] = Values(tuple(self.value(a) for a in found[1]))
        return [(self.node_text(target), value)]

    def reference(self, node):
        if node is None or node.type not in ("identifier", "scoped_identifier"):
            return None
        name = self.canonical(self.path(self.node_text(node)))
        return name if name in EFFECTS else None

    def call(self, node):
        if node.type == "macro_invocation":
            macro = node.child_by_field_name("macro")
            trees = [c for c in node.named_children if c.type == "token_tree"]
            return (f"{self.node_text(macro)}!", macro_args(trees[0]) if trees else []) if macro is not None else None
        if node.type != "call_expression":
            return None
        function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if function is None:
            return None
        args = [c for c in (arguments.named_children if arguments is not None else ())
                if c.type not in ("line_comment", "block_comment", "attribute_item")]
        if function.type == "field_expression":
            field = function.child_by_field_name("field")
            return (f".{self.node_text(field)}", args) if field is not None else None
        if function.type == "generic_function":  # Command::new::<..>, rare
            function = function.child_by_field_name("function") or function
        if function.type in ("identifier", "scoped_identifier"):
            return self.path(self.node_text(function)), args
        return None

    def receiver(self, node):
        """The receiver of a method call ``node`` (``x`` in ``x.unwrap()``)."""
        function = node.child_by_field_name("function")
        return function.child_by_field_name("value") if function is not None and function.type == "field_expression" \
            else None

    def variable(self, node):
        return self.node_text(node) if node.type == "identifier" else None

    def literal(self, node):
        if node.type == "string_literal":
            text = self.node_text(node)
            return Word(unescape(text[text.index('"') + 1:-1]))
        if node.type == "raw_string_literal":
            content = next((c for c in node.named_children if c.type == "string_content"), None)
            return Word(self.node_text(content) if content is not None else "")
        if node.type == "integer_literal":
            return Word(self.node_text(node))
        return None

    def value(self, node, depth: int = 0) -> Word:
        if node is None or depth > 32:
            return dynamic()
        if isinstance(node, MacroArg):
            return self.macro_value(node.tokens, depth + 1)
        if node.type in ("reference_expression", "try_expression", "parenthesized_expression", "await_expression") \
                and node.named_children:
            return self.value(node.named_children[-1], depth + 1)
        found = (node.name, node.args) if isinstance(node, _Macro) else self.call(node)
        if found is not None:
            name, args = found
            if name.startswith(".") and name[1:] in PASS_THROUGH | {"join", "push_str"}:
                base = self.value(self.receiver(node), depth + 1)
                if name == ".join" and args:  # path.join("x")
                    tail = self.value(args[0], depth + 1)
                    return tail if tail.text.startswith("/") else record.join([base, Word("/"), tail])
                return base
            if name in ("format!", "concat!"):
                return self.format(name, args, depth)
            if name == "env!" and args:
                return self.environment_variable(self.value(args[0], depth + 1).text)
            if name in TEMP_DIRS:
                return record.temporary(self.an, name != "std::env::temp_dir")
        return super().value(node, depth)

    def format(self, name: str, args: list, depth: int) -> Word:
        """``format!("{}/.ssh/{key}", home)``: placeholders filled in order or by name."""
        if name == "concat!":
            return record.join([self.value(a, depth + 1) for a in args])
        if not args:
            return Word("")

        def piece(match, next_value) -> Word:
            if match.group() in ("{{", "}}"):
                return Word(match.group()[0])
            if match.group(1):  # {name}: a variable in scope
                return self.consts.get(match.group(1)) or dynamic()
            return next_value()

        return self.fill(self.value(args[0], depth + 1), r"\{\{|\}\}|\{([A-Za-z_]\w*)?(?::[^}]*)?\}", args[1:],
                         depth, piece)

    def items(self, node) -> list[Word]:
        while node is not None and node.type == "reference_expression" and node.named_children:
            node = node.named_children[-1]  # &["-c", x]
        found = self.call(node) if node is not None and node.type == "macro_invocation" else None
        if found is not None and found[0] == "vec!":
            return [self.value(a) for a in found[1]]
        return super().items(node)

    def macro_value(self, tokens: list, depth: int) -> Word:
        """One argument of a macro, as tokens: a literal or variable, a nested macro
        (``concat!(env!("HOME"), …)``), ``env::var("X")…``; anything else is a run-time value."""
        named = [t for t in tokens if t.is_named]
        if len(named) == 1 and len(tokens) == 1:
            return self.value(named[0], depth)
        if len(tokens) >= 3 and tokens[0].type == "identifier" and tokens[1].type == "!" \
                and tokens[2].type == "token_tree":
            return self.value(_Macro(self.node_text(tokens[0]), macro_args(tokens[2])), depth)
        text = "".join(self.node_text(t) for t in tokens)
        match = re.match(r'(?:std::)?env::var(?:_os)?\("(\w+)"\)', text)
        if match:
            return self.environment_variable(match.group(1))
        return dynamic()

    def effect(self, name: str, args: list, node) -> None:
        if name == "std::process::Command::new":
            self.later.append(("command", name, args, node))
        elif name in (".arg", ".args") and node is not None:
            holder = self.receiver(node)
            if holder is not None and holder.type == "identifier" and self.node_text(holder) in self.builders:
                self.builders[self.node_text(holder)].append((name, args))
        elif name in ("include_str!", "include_bytes!") and args:  # read when it compiles, built into the program
            record.file(self.an, self.cmd, "file_read", self.value(args[0]))
        elif name == "include!" and args:
            self.load(name, self.value(args[0]))
        elif name.startswith(".") and name[1:] in SENDS | {"get"} and args:
            target = self.value(args[0])
            if not target.dynamic and net.is_url(target.text):  # client.post("https://…")
                self.later.append(("url_send" if name[1:] in SENDS else "url", name, args, node))
        elif name == FS + "write" and args:
            record.write_text(self.an, self.cmd, self.value(args[0]),
                              self.value(args[1]) if len(args) > 1 else dynamic())
        else:
            super().effect(name, args, node)

    def send(self, kind: str, name: str, args, node, secret: bool) -> None:
        if kind == "command":
            self.command(node, args, f"rust {name}")
        elif kind == "socket":  # TcpStream::connect("host:port") or (host, port)
            if not args:
                return
            if args[0].type == "tuple_expression" and len(args[0].named_children) >= 2:
                named, port_word = self.value(args[0].named_children[0]), self.value(args[0].named_children[1])
                record.socket(self.an, self.cmd, named, int(port_word.text) if port_word.text.isdigit() else 0)
                return
            host, port = peer(self.value(args[0]))
            if host is not None:
                record.socket(self.an, self.cmd, host, port)
        else:
            super().send(kind, name, args, node, secret)

    def command(self, node, args: list, via: str) -> None:
        """``Command::new(p)`` and the arguments its chain, or the variable holding it, adds."""
        words = [self.value(args[0])] if args else [dynamic()]
        calls: list[tuple[str, list]] = []
        at = node
        while at.parent is not None and at.parent.type == "field_expression" \
                and at.parent.parent is not None and at.parent.parent.type == "call_expression":
            field = at.parent.child_by_field_name("field")
            call = at.parent.parent
            arguments = call.child_by_field_name("arguments")
            calls.append((f".{self.node_text(field)}" if field is not None else "",
                          list(arguments.named_children) if arguments is not None else []))
            at = call
        holder = at.parent
        if holder is not None and holder.type in ("let_declaration", "assignment_expression"):
            target = holder.child_by_field_name("pattern" if holder.type == "let_declaration" else "left")
            calls += self.builders.get(self.node_text(target), []) if target is not None else []
        for method, margs in calls:
            if method == ".arg" and margs:
                words.append(self.value(margs[0]))
            elif method == ".args" and margs:
                words += self.items(margs[0])
        record.argv(self.an, self.cmd, words, via)

    def command_of(self, node):
        """The ``Command::new`` call at the start of the method chain ``node``, or None."""
        while node is not None and node.type == "call_expression":
            found = self.call(node)
            if found is not None and found[0] == "std::process::Command::new":
                return node
            node = self.receiver(node)
        return None


class MacroArg:
    """One comma-separated argument of a macro invocation: its tokens."""

    type = "macro_arg"
    named_children: tuple = ()

    def __init__(self, tokens: list) -> None:
        self.tokens = tokens


class _Macro:
    """A macro invoked inside another's arguments (``concat!(env!("HOME"), "/x")``)."""

    type = "macro"
    named_children: tuple = ()

    def __init__(self, name: str, args: list) -> None:
        self.name, self.args = f"{name}!", args


def macro_args(tree) -> list:
    """A macro's token tree as its comma-separated arguments."""
    groups: list[list] = [[]]
    for child in tree.children[1:-1]:  # inside the brackets
        if child.type == ",":
            groups.append([])
        elif child.type not in ("line_comment", "block_comment"):
            groups[-1].append(child)
    return [MacroArg(g) for g in groups if g]


TEMP_DIRS = frozenset(("std::env::temp_dir", "tempfile::tempdir", "tempfile::TempDir::new", "tempdir::TempDir::new",
                       "tempfile::tempdir_in", "tempfile::Builder::new"))


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Rust ``code`` does."""
    analyse_with(Rust, an, cmd, code)
