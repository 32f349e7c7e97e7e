"""Code in a tree-sitter grammar (Ruby, Perl, PHP, Lua), walked for the calls that act.

A language module subclasses ``Code``: it names each call (``call``), reads literal values
(``literal``) and spells its own special syntax (backticks, ``eval`` blocks, ``%ENV``) in
``special``; ``EFFECTS`` maps call names onto the kinds below, which this module turns into the
shell analyser's actions through ``record``. Values are constants when they are literals, known
variables (assigned one constant), concatenations of those, or decodings of literals
(``Base64.decode64("…")``); anything else is a run-time value. Network calls are applied last, so a
secret read or an environment dump anywhere in the code marks what the code sends
(``sends_secret``), as in the shell.

Grammars are loaded on first use (``vectimus.native.grammar``), parsed within the call's CPU parse
budget; a tree with syntax errors is still walked, its actions marked dynamic.
Standard library only (and the grammars): used on the hot path.
"""

from __future__ import annotations

import base64
import binascii
import re
import warnings
from typing import Any

from vectimus.analyser.context import (
    MAX_NESTING, UNKNOWN, Analysis, Cmd, Unanalysable, Word,
)
from vectimus.analyser.expand import ansi_c
from vectimus.analyser.facts import net
from vectimus.analyser.languages import contents, loads, patching, record, shown
from vectimus.analyser.parse import budgeted
from vectimus.model import ActionKind

# language -> (grammar package, its language function)
GRAMMARS = {"ruby": ("tree_sitter_ruby", "language"), "perl": ("tree_sitter_perl", "language"),
            "php": ("tree_sitter_php", "language_php"), "php_only": ("tree_sitter_php", "language_php_only"),
            "lua": ("tree_sitter_lua", "language"), "go": ("tree_sitter_go", "language"),
            "rust": ("tree_sitter_rust", "language")}
_PARSERS: dict[str, Any] = {}
SECRET_NAMES = r"(?i)key|token|secret|passw|credential|auth|cookie|session"
WRITE_MODE = r"[wa+]"
NETWORK_KINDS = ("url", "url_send", "socket", "http_object")


def parser(grammar: str) -> Any:
    """The process-wide parser for ``grammar`` (built on first use)."""
    found = _PARSERS.get(grammar)
    if found is None:
        import tree_sitter

        from vectimus.native import grammar as load

        package, function = GRAMMARS[grammar]
        with warnings.catch_warnings():  # tree-sitter-perl hands an int, which tree-sitter deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            found = _PARSERS[grammar] = tree_sitter.Parser(tree_sitter.Language(load(package, function)))
    return found


def parse(an: Analysis, grammar: str, data: bytes) -> Any:
    """The syntax tree of ``data``; Unanalysable when parsing overruns the call's parse budget.

    The text always ends in a newline: tree-sitter-perl 2.0's heredoc scanner never returns on a
    backslash before the end of input (``<<x`` newline ``\\``), where the progress callback cannot
    stop it; a final newline changes nothing else in any of these languages."""
    if not data.endswith(b"\n"):
        data += b"\n"
    return budgeted(parser(grammar), data, an, f"{grammar} code")


def dynamic(secret: bool = False) -> Word:
    """A value known only at run time."""
    return Word(UNKNOWN, dynamic=True, secret=secret)


class Code:
    """One program, walked once for constants and once for what it does."""

    lang = ""
    grammar = ""
    EFFECTS: dict[str, str] = {}
    ASSIGNMENTS: tuple[str, ...] = ()   # node types that assign (see ``assignment``)
    CONCAT: dict[str, tuple[str, ...]] = {}  # node type -> operators that concatenate strings
    HOME_CALLS: frozenset[str] = frozenset()  # calls whose value is the home directory
    DECODERS: frozenset[str] = frozenset()    # calls that base64-decode their argument
    ENV_CALLS: frozenset[str] = frozenset()   # calls that read one environment variable by name
    GLOBS: frozenset[str] = frozenset()       # calls whose value is the files their pattern matches
    INERT_CALLS: frozenset[str] = frozenset()  # calls whose value carries no shell syntax (quoting, numbers)
    READ_CALLS: frozenset[str] = frozenset()   # calls whose value is the text of the file they name

    def __init__(self, an: Analysis, cmd: Cmd, text: str) -> None:
        self.an, self.cmd, self.text = an, cmd, text
        self.data = text.encode("utf-8", "surrogatepass")
        patching.seen(an, text)
        self.consts: dict[str, Word | None] = {}
        self.aliases: dict[str, str] = {}  # variable -> the function or module it names
        self.later: list[tuple[str, str, list, Any]] = []  # network effects, applied last

    # -- language hooks -------------------------------------------------------------------------

    def call(self, node) -> tuple[str, list] | None:
        """``(name, argument nodes)`` when ``node`` is a call."""
        return None

    def literal(self, node) -> Word | None:
        """The value of a string or number literal (interpolations resolved through ``value``)."""
        return None

    def variable(self, node) -> str | None:
        """The name ``node`` reads when it is a plain variable."""
        return None

    def assignment(self, node) -> tuple[str, Any] | None:
        """``(variable name, value node)`` for a simple assignment."""
        return None

    def special(self, node) -> bool:
        """Language syntax that acts by itself (backticks, ``eval`` blocks); True when handled."""
        return False

    def reference(self, node) -> str | None:
        """The function or module ``node`` names without calling it (``os.execute``, ``system``),
        when assigning it to a variable makes that variable another name for it."""
        return None

    def load(self, name: str, spec: Word) -> None:
        """A file ``name`` loads and runs as code of this language (``load``, ``dofile``)."""
        loads.follow(self.an, self.cmd, self.lang, spec, f"{self.lang} {name}")

    def inert_method(self, node) -> bool:
        """Whether ``node`` calls a method whose result carries no shell syntax on a value of any
        type (Ruby's ``x.to_i``, ``x.shellescape``)."""
        return False

    def env_lookup(self, node) -> str | None:
        """The variable name when ``node`` reads one environment variable (``getenv("X")``; "?"
        when the name is not known). Languages add their own syntax (``ENV["X"]``, ``$ENV{X}``)."""
        found = self.call(node) if self.ENV_CALLS else None
        if found and found[0] in self.ENV_CALLS and found[1]:
            key = self.value(found[1][0])
            return key.text if not key.dynamic else "?"
        return None

    # -- the walk -------------------------------------------------------------------------------

    def root(self):
        """The program's syntax tree (a language without a grammar builds its own). With a syntax
        error, the interpreter may run what the grammar could not read: one dynamic exec says so,
        and this code's actions are marked dynamic (``Analysis.add``) until ``run`` ends."""
        root = parse(self.an, self.grammar, self.data)
        if root.has_error:
            record.evaluate(self.an, self.cmd, self.lang, Word("", dynamic=True), f"{self.lang}: syntax error")
            self.an.syntax_error = True
        return root

    def run(self) -> None:
        """Record the code's actions; a syntax error in it leaves the rest of the call's untouched."""
        was = self.an.syntax_error
        try:
            self.walk()
        finally:
            self.an.syntax_error = was

    def walk(self) -> None:
        root = self.root()
        start, before = len(self.an.actions), self.an.secret_reads
        nodes = list(self.nodes(root))
        for node in nodes:
            if node.type in self.ASSIGNMENTS:
                found = self.assignment(node)
                if found is not None:
                    name, value_node = found
                    value = self.value(value_node) if value_node is not None else dynamic()
                    old = self.consts.get(name, value)
                    self.consts[name] = value if not value.dynamic and old == value else None
                    ref = self.reference(value_node) if value_node is not None else None
                    if ref is not None:  # a variable ever given a function may call it
                        self.aliases.setdefault(name, ref)
        dumped = False
        for node in nodes:
            if not self.special(node):
                found = self.call(node)
                if found is not None:
                    self.apply(self.canonical(found[0]), found[1], node)
                elif not dumped and self.env_lookup(node) == "?":  # ENV[k] for every k
                    record.environment_dump(self.an, self.cmd, f"{self.lang} environment by name")
                    dumped = True
        secret = self.an.secret_reads > before or self.cmd.stdin.secret
        for kind, name, args, node in self.later:
            self.network(kind, name, args, node, secret)
        record.wire_sockets(self.an, start, self.cmd)

    def canonical(self, name: str) -> str:
        """``name`` with a variable that stands for a function or module replaced by what it names
        (``x = os.execute; x(…)`` calls ``os.execute``, ``o = os; o.execute`` too)."""
        if not self.aliases:
            return name
        if name in self.aliases:
            return self.aliases[name]
        for sep in (".", "::", "->"):
            head, found, tail = name.partition(sep)
            if found and head in self.aliases:
                return f"{self.aliases[head]}{sep}{tail}"
        return name

    def nodes(self, root):
        """Every named node, in document order, within the node and nesting limits."""
        stack = [(root, 0)]
        count = 0
        while stack:
            node, depth = stack.pop()
            count += 1
            if count % 512 == 0:
                self.an.tick(512)
                record.budget(self.an, self.lang)
            if depth > MAX_NESTING * 4:
                raise Unanalysable(f"{self.lang} code nested too deeply")
            yield node
            stack.extend((c, depth + 1) for c in reversed(node.named_children))

    def node_text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- values ---------------------------------------------------------------------------------

    def value(self, node, depth: int = 0) -> Word:
        """What ``node`` evaluates to when that is known statically."""
        if node is None or depth > 32:
            return dynamic()
        lit = self.literal(node)
        if lit is not None:
            return lit
        name = self.variable(node)
        if name is not None:
            known = self.consts.get(name)
            return known if known is not None else dynamic()
        operators = self.CONCAT.get(node.type)
        if operators is not None:
            op = node.child_by_field_name("operator")
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if op is not None and op.type in operators and left is not None and right is not None:
                return record.join([self.value(left, depth + 1), self.value(right, depth + 1)])
            return dynamic()
        env = self.env_lookup(node)
        if env is not None:
            return self.environment_variable(env)
        if self.inert_method(node) and not patching.patched(self.an, self.node_text(node.child_by_field_name("method"))):
            return record.inert()
        found = self.call(node)
        if found is not None:
            name, args = found
            if name in self.INERT_CALLS and not patching.patched(self.an, name):
                return record.inert()
            if name in self.READ_CALLS and args:  # File.read(p): the text, when it can be known now
                text = contents.file_word(self.an, self.cmd, self.value(args[0], depth + 1))
                return Word(text) if text is not None else dynamic()
            if name in self.HOME_CALLS:
                tail = self.value(args[0], depth + 1) if args else Word("")
                return record.join([Word(self.an.places.home), Word(tail.text.lstrip("~"), tail.dynamic)])
            if name in self.DECODERS and args:
                encoded = self.value(args[0], depth + 1)
                decoded = None if encoded.dynamic else decode_base64(encoded.text)
                return Word(decoded) if decoded is not None else dynamic()
            if name in self.GLOBS and args:  # glob("p/*"): the pattern, as a shell glob is
                return self.value(args[0], depth + 1)._replace(glob=True)
            if self.EFFECTS.get(name) == "join" and args:
                return record.join([w for i, a in enumerate(args)
                                     for w in ([Word("/")] if i else []) + [self.value(a, depth + 1)]])
            if self.EFFECTS.get(name) == "same" and args:
                return self.value(args[0], depth + 1)
        if len(node.named_children) == 1 and node.type in ("parenthesized_expression", "parenthesized_statements"):
            return self.value(node.named_children[0], depth + 1)
        return dynamic()

    def argument(self, index: int) -> Word:
        """The ``index``-th word after the inline code (``ruby -e CODE a b``: ``a`` is 0), or
        unknown: what the code reads from its command line."""
        words = list(self.cmd.words[1:])
        at = next((i for i, w in enumerate(words) if not w.dynamic and w.text == self.text), None)
        rest = words[at + 1:] if at is not None else []
        return rest[index] if 0 <= index < len(rest) and not rest[index].dynamic else dynamic()

    def environment_variable(self, name: str) -> Word:
        """``ENV["HOME"]`` is the home directory; a variable named like a credential taints."""
        if name == "HOME":
            return Word(self.an.places.home)
        if re.search(SECRET_NAMES, name):
            self.an.secret_reads += 1
        return dynamic()

    def values(self, node) -> list[Word]:
        """The items of an array/list literal, or the single value."""
        if node is not None and node.type in ("array", "list_expression", "array_creation_expression",
                                               "anonymous_array_expression", "table_constructor",
                                               "string_array", "symbol_array"):
            items = [c.named_children[-1] if c.type in ("array_element_initializer", "field") and c.named_children
                     else c for c in node.named_children if c.type != "comment"]
            return [self.value(c) for c in items]
        return [self.value(node)]

    # -- effects --------------------------------------------------------------------------------

    def apply(self, name: str, args, node) -> None:
        kind = self.EFFECTS.get(name)
        if kind is None:
            return
        if kind in NETWORK_KINDS:
            self.later.append((kind, name, args, node))
            return
        an, cmd, via = self.an, self.cmd, f"{self.lang} {name}"
        first = self.value(args[0]) if args else dynamic()
        if kind == "shell":
            record.shell(an, cmd, first, via)
        elif kind in ("system", "popen"):
            self.system(args, via)
        elif kind in ("delete", "delete_r"):
            flags = ("r",) if kind == "delete_r" else ()
            for arg in args:
                if not self.is_option(arg):
                    for word in self.values(arg):
                        record.file(an, cmd, "file_delete", word, flags)
        elif kind == "read":
            if net.is_url(first.text):
                self.later.append(("url", name, args, node))
            else:
                record.file(an, cmd, "file_read", first)
        elif kind == "write":
            record.file(an, cmd, "file_write", first)
        elif kind == "write_text":  # File.write(path, text), file_put_contents(path, text)
            plain = [a for a in args if not self.is_option(a)]
            record.write_text(an, cmd, first, self.value(plain[1]) if len(plain) == 2 else dynamic())
        elif kind == "open":
            self.open(first, self.value(args[1]) if len(args) > 1 else Word("r"), via, name, args, node)
        elif kind in ("link", "hardlink"):  # symlink(target, link): the link is what is written;
            plain = [a for a in args if not self.is_option(a)]  # through a hard link, the target too
            if plain:
                record.file(an, cmd, "file_write", self.value(plain[1] if len(plain) > 1 else plain[0]))
            if plain and kind == "hardlink":
                record.file(an, cmd, "file_write", self.value(plain[0]))
        elif kind in ("copy", "move"):
            if len(args) >= 2:
                record.file(an, cmd, "file_delete" if kind == "move" else "file_read", first)
                record.file(an, cmd, "file_write", self.value(args[1]))
        elif kind == "eval":
            if not args or args[0].type in ("block", "do_block", "compound_statement"):
                return  # a block: code that is part of this program, already walked
            record.evaluate(an, cmd, self.lang, first, via)
        elif kind == "env_dump":
            if not args:
                record.environment_dump(an, cmd, via)
        elif kind == "load":
            self.load(name, first)
        elif kind == "show":
            shown.printed(self, node, args, via)
        elif kind == "deserialize":
            from vectimus.analyser.languages import deserialize_code

            deserialize_code.loaded(self, name, args)

    def system(self, args: list, via: str) -> None:
        """``system("cmd")`` is shell text; ``system("prog", "arg")`` or an array is an argv."""
        args = [a for a in args if not self.is_option(a)]
        if not args:
            return
        if len(args) == 1 and args[0].type not in ("array", "anonymous_array_expression",
                                                   "array_creation_expression", "table_constructor"):
            record.shell(self.an, self.cmd, self.value(args[0]), via)
            return
        words = [w for a in args for w in self.values(a)]
        record.argv(self.an, self.cmd, words, via)

    def is_option(self, node) -> bool:
        """Keyword and hash arguments (``exception: true``, an env hash) are not operands."""
        return node.type in ("pair", "hash", "keyword_argument", "hash_splat_argument", "block_argument")

    def open(self, path: Word, mode: Word, via: str, name: str, args: list, node) -> None:
        if path.text.startswith("|") and not path.dynamic:  # Ruby/Perl open("|cmd")
            record.shell(self.an, self.cmd, Word(path.text[1:].strip()), via)
        elif net.is_url(path.text):
            self.later.append(("url", name, args, node))
        else:
            kind: ActionKind = "file_write" if mode.dynamic or re.search(WRITE_MODE, mode.text) else "file_read"
            record.file(self.an, self.cmd, kind, path)

    def network(self, kind: str, name: str, args, node, secret: bool) -> None:
        """Network effects, applied last: ``secret`` says the code read a secret somewhere."""
        prog = record.program(self.cmd)
        first = self.value(args[0]) if args else dynamic()
        if kind == "socket":
            host, port = self.host_port(args)
            if host is not None:
                record.socket(self.an, self.cmd, host, port)
            return
        if kind == "http_object":  # Net::HTTP.new(host): a connection, sends decided by its calls
            net.remote(self.an, self.cmd, prog, first if net.is_url(first.text) or first.dynamic
                       else Word("https://" + first.text))
            return
        sends = kind == "url_send"
        net.remote(self.an, self.cmd, prog, first, sends_data=sends, sends_secret=sends and secret)

    def host_port(self, args: list) -> tuple[Word | None, int]:
        """The peer of a socket constructor: ``(host, port)`` positional."""
        plain = [a for a in args if not self.is_option(a)]
        if not plain:
            return None, 0
        host = self.value(plain[0])
        port = self.value(plain[1]).text if len(plain) > 1 else ""
        return host, int(port) if port.isdigit() else 0


def decode_base64(text: str) -> str | None:
    """Base64 text decoded as UTF-8, or None."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


def unescape(text: str) -> str:
    """Backslash escapes of a double-quoted string (``\\n``, ``\\x72``, ``\\u{…}``)."""
    if "\\" not in text:
        return text
    return ansi_c(re.sub(r"\\u\{([0-9a-fA-F]{1,6})\}", lambda m: chr(int(m.group(1), 16)), text))


def analyse_with(cls: type[Code], an: Analysis, cmd: Cmd, code: Word) -> None:
    """Run ``cls`` over ``code`` (dynamic code is evaluated as unknown), after the libraries the
    command line loads first."""
    loads.preloads(an, cmd, cls.lang)
    if code.dynamic:
        record.evaluate(an, cmd, cls.lang, code, f"{cls.lang} code")
        return
    cls(an, cmd, code.text).run()

