"""Perl (tree-sitter-perl): ``system``/``exec``, backticks and ``qx``, pipe ``open``s, ``unlink`` and
``rmtree``, file ``open``s by mode, ``IO::Socket::INET`` and ``socket``/``connect`` (reverse shells),
LWP and HTTP::Tiny, ``%ENV`` taken whole, and ``eval`` of strings.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

import os
import re
from typing import Any

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.languages import loads, record
from vectimus.analyser.languages.code import Code, analyse_with, dynamic, unescape
from vectimus.model import ActionKind

EFFECTS = {
    **dict.fromkeys(("print", "say", "printf"), "show"),
    **dict.fromkeys(("system", "exec"), "system"),
    "readpipe": "shell",
    **dict.fromkeys(("require", "use"), "load"),
    **dict.fromkeys(("unlink", "rmdir"), "delete"),
    **dict.fromkeys(("rmtree", "remove_tree", "File::Path::rmtree", "File::Path::remove_tree"), "delete_r"),
    "symlink": "link", "link": "hardlink",
    **dict.fromkeys(("mkdir", "make_path", "mkpath", "chmod", "truncate", "utime",
                     "write_file", "File::Slurp::write_file", "path->spew"), "write"),
    **dict.fromkeys(("read_file", "File::Slurp::read_file", "slurp"), "read"),
    **dict.fromkeys(("copy", "File::Copy::copy", "cp", "File::Copy::cp"), "copy"),
    **dict.fromkeys(("move", "File::Copy::move", "mv", "rename"), "move"),
    "eval": "eval",
    **dict.fromkeys(("get", "getstore", "getprint", "head", "mirror", "LWP::Simple::get",
                     "->get", "->head", "->mirror", "->get_string", "->request_get"), "url"),
    **dict.fromkeys(("->post", "->put", "->patch", "->post_form", "->request"), "url_send"),
    **dict.fromkeys(("IO::Socket::INET->new", "IO::Socket::INET6->new", "IO::Socket::IP->new",
                     "IO::Socket::SSL->new", "sockaddr_in", "Socket::sockaddr_in"), "socket"),
}
_GENERIC = ("->get", "->head", "->mirror", "->get_string", "->request_get", "->post", "->put", "->patch",
            "->post_form", "->request")


class Perl(Code):
    lang = "perl"
    grammar = "perl"
    EFFECTS = EFFECTS
    ASSIGNMENTS = ("assignment_expression",)
    CONCAT = {"binary_expression": (".",)}
    DECODERS = frozenset(("decode_base64", "MIME::Base64::decode_base64", "decode_base64url"))
    HOME_CALLS = frozenset(("File::HomeDir->my_home",))
    GLOBS = frozenset(("glob", "bsd_glob", "File::Glob::bsd_glob"))
    INERT_CALLS = frozenset(("quotemeta", "int", "length", "shell_quote", "String::ShellQuote::shell_quote"))
    READ_CALLS = frozenset(("read_file", "File::Slurp::read_file", "Path::Tiny::slurp"))

    def __init__(self, an: Analysis, cmd: Cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        self.arrays: dict[str, Any] = {}  # @name -> the list it was given (None: more than one)

    def call(self, node):
        kind = node.type
        if kind in ("function_call_expression", "ambiguous_function_call_expression"):
            function = node.child_by_field_name("function")
            name = self.node_text(function).lstrip("&") if function is not None else ""
        elif kind == "coderef_call_expression":  # $f->(…)
            inner = node.named_children[0] if node.named_children else None
            name = self.node_text(inner) if inner is not None else ""
        elif kind == "func1op_call_expression" and node.children:  # readpipe("…")
            return self.node_text(node.children[0]), [c for c in node.named_children if c.type != "comment"][:1]
        elif kind in ("require_expression", "use_statement"):
            inner = [c for c in node.named_children if c.type != "comment"]
            return ("use" if kind == "use_statement" else "require"), inner[:1]
        elif kind == "method_call_expression":
            invocant, method = node.child_by_field_name("invocant"), node.child_by_field_name("method")
            if method is None:
                return None
            head = self.node_text(invocant) if invocant is not None and invocant.type == "bareword" else ""
            name = f"{head}->{self.node_text(method)}"
        elif kind == "eval_expression":
            inner = [c for c in node.named_children if c.type != "comment"]
            return "eval", inner[:1]
        else:
            return None
        arguments = node.child_by_field_name("arguments")
        if arguments is None:
            args = []
        elif arguments.type in ("list_expression", "parenthesized_expression"):
            args = [c for c in arguments.named_children if c.type != "comment"]
        else:
            args = [arguments]
        return name.replace("CORE::", ""), args

    def reference(self, node):
        """``\\&CORE::readpipe``, ``\\&system``: a code reference, called later as ``$f->(…)``."""
        if node.type == "refgen_expression" and node.named_children and node.named_children[0].type == "function":
            return self.node_text(node.named_children[0]).lstrip("&").replace("CORE::", "").replace("GLOBAL::", "")
        return None

    def value(self, node, depth: int = 0) -> Word:
        """As ``Code.value``; ``$ARGV[0]`` is the command line's word."""
        if node is not None and node.type == "array_element_expression":
            array, index = node.child_by_field_name("array"), node.child_by_field_name("index")
            if array is not None and index is not None and self.node_text(array) in ("$ARGV", "ARGV") \
                    and index.type == "number" and self.node_text(index).isdigit():
                return self.argument(int(self.node_text(index)))
        return super().value(node, depth)

    def values(self, node, depth: int = 0):
        """An array variable's items when it was given one list (``my @a = (…)``); unknown items else."""
        if node is not None and node.type == "array":
            found = self.arrays.get(self.node_text(node))
            return self.values(found, depth + 1) if found is not None and depth < 8 else [dynamic()]
        return super().values(node)

    def system(self, args: list, via: str) -> None:
        if len(args) == 1 and args[0].type == "array" and self.values(args[0])[0].dynamic:
            record.shell(self.an, self.cmd, dynamic(), via)  # a program nobody knows: a shell, perhaps
            return
        super().system(args, via)

    def load(self, name: str, spec: Word) -> None:
        """``require "./x.pl"`` names a file (found from the working directory or ``-I``);
        ``require Foo::Bar`` and ``use Foo::Bar`` load ``Foo/Bar.pm`` from the ``-I`` directories."""
        an, cmd = self.an, self.cmd
        dirs = loads.include_dirs(an, cmd, "-I")
        if spec.dynamic:
            loads.follow(an, cmd, "perl", spec, f"perl {name}")
            return
        if name == "use" or (spec.text and "/" not in spec.text and not spec.text.endswith((".pl", ".pm"))):
            if not dirs:
                return
            spec = Word(spec.text.replace("::", "/") + ".pm")
        loads.follow(an, cmd, "perl", spec, f"perl {name}", dirs=(
            an.target(Word("."), cmd.scope).path, *dirs) if not os.path.isabs(spec.text) else ())

    def apply(self, name: str, args: list, node) -> None:
        if name == "open":
            self.perl_open(args)
        elif name in _GENERIC and not (args and net.is_url(self.value(args[0]).text)):
            return  # ->get on an object that is not evidently a web client
        else:
            super().apply(name, args, node)

    def perl_open(self, args: list) -> None:
        """``open(FH, MODE, PATH)`` and ``open(FH, "MODE PATH")``: pipes run, files read or written."""
        via = "perl open"
        if len(args) >= 3:
            mode = self.value(args[1]).text.strip()
            target = self.value(args[2])
            if "|" in mode:
                rest = [self.value(a) for a in args[2:]]
                if len(rest) > 1:
                    record.argv(self.an, self.cmd, rest, via)
                else:
                    record.shell(self.an, self.cmd, target, via)
            elif "&" not in mode:
                record.file(self.an, self.cmd, "file_write" if re.search(r"[>+]", mode) else "file_read", target)
        elif len(args) == 2:
            spec = self.value(args[1])
            text = spec.text.strip()
            if text.startswith("|") or text.endswith("|"):
                record.shell(self.an, self.cmd, Word(text.strip("|").strip(), spec.dynamic), via)
            elif "&" not in text[:3]:  # not a dup of another handle (">&S")
                kind: ActionKind = "file_write" if text.startswith((">", "+<", "+>")) else "file_read"
                record.file(self.an, self.cmd, kind, Word(text.lstrip("<>+ ").strip(), spec.dynamic))

    def host_port(self, args: list):
        """``->new(PeerAddr => "h", PeerPort => 1)``, ``->new("h:1")``, ``sockaddr_in($port, inet_aton($host))``."""
        named = {self.node_text(a).lower(): args[i + 1] for i, a in enumerate(args[:-1])
                 if a.type == "autoquoted_bareword"}
        if named:
            host_node = named.get("peeraddr") or named.get("peerhost")
            if host_node is None:
                return None, 0
            host = self.value(host_node)
            port = self.value(named["peerport"]).text if "peerport" in named else ""
            if not port and ":" in host.text:
                head, _, port = host.text.rpartition(":")
                host = Word(head, host.dynamic)
            return host, int(port) if port.isdigit() else 0
        if len(args) == 2:  # sockaddr_in($port, inet_aton($host))
            inner = self.call(args[1])
            host = self.value(inner[1][0]) if inner and inner[1] else self.value(args[1])
            port = self.value(args[0]).text
            return host, int(port) if port.isdigit() else 0
        if len(args) == 1:
            text = self.value(args[0])
            head, _, port = text.text.rpartition(":")
            return (Word(head, text.dynamic), int(port)) if port.isdigit() else (text, 0)
        return None, 0

    def assignment(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and left.type == "variable_declaration":
            left = left.child_by_field_name("variable")
        if left is not None and left.type == "array" and right is not None:
            name = self.node_text(left)
            while right.type == "parenthesized_expression" and len(right.named_children) == 1:
                right = right.named_children[0]
            self.arrays[name] = right if name not in self.arrays else None
            return None
        if left is None or left.type != "scalar":
            return None
        return self.node_text(left), right

    def variable(self, node):
        return self.node_text(node) if node.type == "scalar" else None

    def env_lookup(self, node):
        if node.type == "hash_element_expression":
            hash_ = node.child_by_field_name("hash")
            key = node.child_by_field_name("key")
            if hash_ is not None and self.node_text(hash_) == "$ENV" and key is not None:
                value = self.value(key) if key.type != "autoquoted_bareword" else Word(self.node_text(key))
                return value.text if not value.dynamic else "?"
        return None

    def literal(self, node):
        kind = node.type
        if kind == "number":
            return Word(self.node_text(node))
        if kind == "autoquoted_bareword" or (kind in ("bareword", "package") and node.parent is not None
                                             and node.parent.type in ("require_expression", "use_statement")):
            return Word(self.node_text(node))
        if kind not in ("string_literal", "interpolated_string_literal", "command_string"):
            return None
        parts: list[Word] = []
        single = kind == "string_literal" or self.node_text(node).startswith(("q'", "qx'"))
        for content in node.named_children:
            if content.type != "string_content":
                continue
            pos = content.start_byte
            for child in content.named_children:
                if child.start_byte > pos:
                    parts.append(self._text(pos, child.start_byte, single))
                if child.type in ("escape_sequence",):
                    parts.append(Word(unescape(self.node_text(child))))
                else:
                    parts.append(self.value(child))
                pos = child.end_byte
            if content.end_byte > pos:
                parts.append(self._text(pos, content.end_byte, single))
        return record.join(parts) if parts else Word("")

    def _text(self, start: int, end: int, single: bool) -> Word:
        text = self.data[start:end].decode("utf-8", "replace")
        return Word(text.replace("\\'", "'").replace("\\\\", "\\") if single else unescape(text))

    def special(self, node) -> bool:
        if node.type == "command_string":  # `cmd`, qx(cmd)
            record.shell(self.an, self.cmd, self.literal(node) or dynamic(), "perl backticks")
            return True
        if node.type == "hash" and self.node_text(node) == "%ENV":
            parent = node.parent
            if parent is None or self.node_text(parent).split("%ENV")[0].strip() not in ("keys", "exists", "local"):
                record.environment_dump(self.an, self.cmd, "perl %ENV")
            return True
        return False


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Perl ``code`` does."""
    analyse_with(Perl, an, cmd, code)
