"""PHP (tree-sitter-php): ``system``/``exec``/``shell_exec``/``passthru``/``popen``/``proc_open``,
backticks, file functions, ``fsockopen``/``stream_socket_client`` (reverse shells), cURL and
``file_get_contents`` of URLs, ``getenv()``/``$_ENV``/``$_SERVER`` taken whole, and ``eval``,
``assert`` and ``create_function`` of strings. ``php -r`` code has no ``<?php`` tag; a file does.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.languages import loads, record, shown
from vectimus.analyser.languages.code import Code, analyse_with, dynamic, unescape

# functions that call the function named by their first argument with the others
CALLBACKS = ("call_user_func", "call_user_func_array", "forward_static_call", "forward_static_call_array",
             "register_shutdown_function", "register_tick_function")

# functions that call a callback given by name: function -> (the callback's argument, the array's)
HIGHER_ORDER = {"array_map": (0, 1), "array_filter": (1, 0), "array_walk": (1, 0), "array_walk_recursive": (1, 0),
                "array_reduce": (1, 0), "usort": (1, 0), "uasort": (1, 0), "uksort": (1, 0),
                "preg_replace_callback": (1, 2), "iterator_apply": (1, 0), "ob_start": (0, -1),
                "spl_autoload_register": (0, -1), "set_error_handler": (0, -1),
                "set_exception_handler": (0, -1), "header_register_callback": (0, -1),
                "new reflectionfunction": (0, -1), "closure::fromcallable": (0, -1)}
LOADS = ("include_expression", "include_once_expression", "require_expression", "require_once_expression")
RISKY = ("shell", "popen", "system", "eval", "delete", "write", "copy", "move")  # a callback that acts

EFFECTS = {
    **dict.fromkeys(("printf", "vprintf", "var_dump", "print_r", "var_export", "debug_zval_dump"), "show"),
    **dict.fromkeys(("system", "exec", "shell_exec", "passthru"), "shell"),
    **dict.fromkeys(("popen", "proc_open"), "popen"),
    "unserialize": "deserialize",
    "pcntl_exec": "system",
    **dict.fromkeys(("unlink", "rmdir"), "delete"),
    "file_put_contents": "write_text",
    **dict.fromkeys(("touch", "mkdir", "chmod", "chown", "tempnam"), "write"),
    "symlink": "link", "link": "hardlink",
    **dict.fromkeys(("file_get_contents", "readfile", "file", "parse_ini_file", "highlight_file",
                     "show_source", "simplexml_load_file", "md5_file", "sha1_file"), "read"),
    "fopen": "open", "copy": "copy", "rename": "move",
    **dict.fromkeys(("eval", "assert"), "eval"),
    **dict.fromkeys(("curl_init", "get_headers", "fopen_url"), "url"),
    **dict.fromkeys(("fsockopen", "pfsockopen", "stream_socket_client", "socket_connect"), "socket"),
    "getenv": "env_dump", "phpinfo": "env_dump",
    **dict.fromkeys(("new splfileobject", "new splfileinfo"), "open"),
    **dict.fromkeys(("include", "include_once", "require", "require_once"), "load"),
    "realpath": "same", "trim": "same", "rtrim": "same", "chop": "same",
}
_ENV_ARRAYS = ("$_ENV", "$_SERVER")


ITERATORS = ("recursivedirectoryiterator", "directoryiterator", "filesystemiterator", "globiterator",
             "recursiveiteratoriterator")  # new X($dir): the files under $dir
FILE_NAMES = ("getrealpath", "getpathname", "__tostring")  # $file->getRealPath(): the file's path
NAMES_ONLY = ("array_keys", "count", "sizeof")  # what they give of an array is not its values


def _names_only(node) -> bool:
    """``array_keys(getenv())``: the call is the whole argument of a function giving only names."""
    outer = node.parent.parent.parent if node.parent is not None and node.parent.parent is not None else None
    if outer is None or outer.type != "function_call_expression" or node.parent.type != "argument":
        return False
    function = outer.child_by_field_name("function")
    return function is not None and function.text.decode("utf-8", "replace").lstrip("\\").lower() in NAMES_ONLY


class Php(Code):
    lang = "php"
    grammar = "php_only"
    EFFECTS = EFFECTS
    ASSIGNMENTS = ("assignment_expression", "foreach_statement")
    CONCAT = {"binary_expression": (".",)}
    DECODERS = frozenset(("base64_decode",))
    ENV_CALLS = frozenset(("getenv",))
    GLOBS = frozenset(("glob",))
    INERT_CALLS = frozenset(("escapeshellarg", "escapeshellcmd", "intval", "floatval", "strlen", "count", "abs"))
    READ_CALLS = frozenset(("file_get_contents",))

    def __init__(self, an: Analysis, cmd: Cmd, text: str) -> None:
        super().__init__(an, cmd, text)
        if "<?php" in text or "<?=" in text:
            self.grammar = "php"
        self.posts = "CURLOPT_POSTFIELDS" in text or re.search(r"['\"]method['\"]\s*=>\s*['\"]POST", text, re.I)

    def call(self, node):
        kind = node.type
        if kind == "function_call_expression":
            function = node.child_by_field_name("function")
            name = self.node_text(function).lstrip("\\").lower() if function is not None else ""
        elif kind == "scoped_call_expression":
            scope, member = node.child_by_field_name("scope"), node.child_by_field_name("name")
            name = f"{self.node_text(scope)}::{self.node_text(member)}".lower() \
                if scope is not None and member is not None else ""
        elif kind == "object_creation_expression" and node.named_children:  # new SplFileObject(…)
            name = "new " + self.node_text(node.named_children[0]).lstrip("\\").lower()
            arguments = next((c for c in node.named_children if c.type == "arguments"), None)
            return name, [c.named_children[-1] if c.type == "argument" and c.named_children else c
                          for c in (arguments.named_children if arguments is not None else ())]
        elif kind in LOADS:  # include "x.php": the file runs here
            return kind.removesuffix("_expression"), [c for c in node.named_children if c.type != "comment"][:1]
        else:
            return None
        arguments = node.child_by_field_name("arguments")
        args = []
        for child in arguments.named_children if arguments is not None else ():
            inner = child.named_children[-1] if child.type == "argument" and child.named_children else child
            args.append(inner)
        if kind == "function_call_expression" and function is not None and function.type != "name":
            called = self.value(function)  # $f(…), ("sys" . "tem")(…): the function the value names
            return (called.text.lstrip("\\").lower(), args) if not called.dynamic else ("eval", args[:1])
        if name in CALLBACKS and args:  # call_user_func('system', …): the callback runs with the rest
            called = self.value(args[0])
            return (called.text.lstrip("\\").lower(), args[1:]) if not called.dynamic else ("eval", args[:1])
        return name, args

    def apply(self, name: str, args: list, node) -> None:
        kind = self.EFFECTS.get(name)
        if name in HIGHER_ORDER:
            self.callback(name, args, node)
        elif kind == "popen":  # the command (a string, or an argv array); the rest are modes and pipes
            self.system(args[:1], f"php {name}")
        elif name == "create_function" and len(args) > 1:
            record.evaluate(self.an, self.cmd, self.lang, self.value(args[1]), "php create_function")
        elif kind == "env_dump" and ((args and name != "phpinfo") or _names_only(node)):
            return  # getenv("X"): one variable; array_keys(getenv()): the names
        elif kind in ("url", "read") and self.posts and args and (kind == "url" or net.is_url(self.value(args[0]).text)):
            self.later.append(("url_send", name, args, node))  # the code posts (CURLOPT_POSTFIELDS)
        else:
            super().apply(name, args, node)

    def callback(self, name: str, args: list, node) -> None:
        """``array_map("system", [...])``: the function a callback names runs on each item of a
        literal array; on anything else it runs on values nobody knows here."""
        at, items = HIGHER_ORDER[name]
        if at >= len(args):
            return
        called = self.value(args[at])
        target = called.text.lstrip("\\").lower()
        if called.dynamic:  # a closure is code here (already walked); a name nobody knows is not
            if args[at].type not in ("anonymous_function", "arrow_function", "array_creation_expression",
                                     "function_call_expression", "null"):
                record.evaluate(self.an, self.cmd, self.lang, dynamic(), f"php {name}")
            return
        if self.EFFECTS.get(target) not in RISKY:
            return
        array = args[items] if 0 <= items < len(args) else None
        if array is not None and array.type == "array_creation_expression":
            for item in array.named_children:
                value = item.named_children[-1] if item.type == "array_element_initializer" and item.named_children else item
                self.apply(target, [value], node)
        else:  # each item of the array's value (a glob's pattern, or unknown)
            self.apply(target, [array] if array is not None else [], node)

    def value(self, node, depth: int = 0) -> Word:
        """As ``Code.value``; a directory iterator is the files under its directory, as a pattern,
        and ``$f->getRealPath()`` of one of them is that file."""
        if node is not None and node.type == "object_creation_expression" and node.named_children:
            kind = self.node_text(node.named_children[0]).lstrip("\\").lower()
            found = self.call(node)
            if kind in ITERATORS and found is not None and found[1]:
                inner = self.value(found[1][0], depth + 1)
                return inner if kind in ("recursiveiteratoriterator", "globiterator") else \
                    record.join([inner, Word("/*", glob=True)])
        if node is not None and node.type == "subscript_expression" and len(node.named_children) == 2 \
                and self.node_text(node.named_children[0]) == "$argv" and node.named_children[1].type == "integer":
            return self.argument(int(self.node_text(node.named_children[1])) - 1)  # $argv[0] is the script
        if node is not None and node.type == "function_call_expression" and self.call(node) == ("getcwd", []):
            return Word(self.an.target(Word("."), self.cmd.scope).path)
        if node is not None and node.type == "member_call_expression":
            member, obj = node.child_by_field_name("name"), node.child_by_field_name("object")
            if member is not None and obj is not None and self.node_text(member).lower() in FILE_NAMES:
                return self.value(obj, depth + 1)
        return super().value(node, depth)

    def load(self, name: str, spec: Word) -> None:
        """``include``/``require`` look in the working directory and the script's."""
        here = self.an.target(Word("."), self.cmd.scope).path
        loads.follow(self.an, self.cmd, "php", spec, f"php {name}",
                     dirs=tuple(dict.fromkeys((here, loads.base_dir(self.an, self.cmd)))))

    def host_port(self, args: list):
        if not args:
            return None, 0
        first = self.value(args[0])
        if "://" in first.text or (len(args) == 1 and ":" in first.text):  # tcp://host:port
            rest = first.text.split("://", 1)[-1]
            host, _, port = rest.rpartition(":")
            return Word(host, first.dynamic), int(port) if port.isdigit() else 0
        return super().host_port(args)

    def assignment(self, node):
        if node.type == "foreach_statement":  # foreach ($it as $f), ($it as $k => $f): each item
            parts = [c for c in node.named_children if c.type not in ("comment", "compound_statement")]
            if len(parts) < 2:
                return None
            item = parts[1].named_children[-1] if parts[1].type == "pair" and parts[1].named_children else parts[1]
            return (self.node_text(item), parts[0]) if item.type == "variable_name" else None
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "variable_name":
            return None
        return self.node_text(left), right

    def variable(self, node):
        return self.node_text(node) if node.type == "variable_name" else None

    def env_lookup(self, node):
        if node.type == "subscript_expression" and node.named_children:
            base = self.node_text(node.named_children[0])
            if base in _ENV_ARRAYS and len(node.named_children) > 1:
                key = self.value(node.named_children[1])
                return key.text if not key.dynamic else "?"
        return super().env_lookup(node)

    def literal(self, node):
        kind = node.type
        if kind in ("integer", "float"):
            return Word(self.node_text(node))
        if kind == "name" and self.node_text(node) == "__DIR__":
            return Word(loads.base_dir(self.an, self.cmd))
        if kind not in ("string", "encapsed_string", "shell_command_expression", "heredoc", "nowdoc"):
            return None
        single = kind in ("string", "nowdoc")
        parts: list[Word] = []
        children = node.named_children
        if kind in ("heredoc", "nowdoc"):
            body = node.child_by_field_name("value")
            children = body.named_children if body is not None else []
        for child in children:
            if child.type in ("string_content", "string_value", "nowdoc_string"):
                text = self.node_text(child)
                parts.append(Word(text.replace("\\'", "'").replace("\\\\", "\\") if single else text))
            elif child.type == "escape_sequence":
                parts.append(Word(unescape(self.node_text(child))))
            elif child.type in ("heredoc_start", "heredoc_end"):
                continue
            else:
                parts.append(self.value(child))
        return record.join(parts) if parts else Word("")

    def special(self, node) -> bool:
        if node.type in ("echo_statement", "print_intrinsic"):  # echo …, print …: language constructs
            shown.printed(self, node, node.named_children, "php echo")
            return False
        if node.type == "shell_command_expression":  # `cmd`
            record.shell(self.an, self.cmd, self.literal(node) or dynamic(), "php backticks")
            return True
        if node.type == "variable_name" and self.node_text(node) == "$GLOBALS":  # holds $_ENV and $_SERVER
            record.environment_dump(self.an, self.cmd, "php $GLOBALS")
            return True
        if node.type == "variable_name" and self.node_text(node) in _ENV_ARRAYS:
            parent = node.parent
            if parent is None or parent.type != "subscript_expression":
                record.environment_dump(self.an, self.cmd, f"php {self.node_text(node)}")
            return True
        return False


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the PHP ``code`` does."""
    analyse_with(Php, an, cmd, code)
