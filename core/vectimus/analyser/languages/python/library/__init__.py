"""What Python's library calls do, for the evaluator: which record actions (files, processes,
network, code), which fold constants (paths, strings, decoders), and the methods of the objects
they return (paths, files, sockets, HTTP clients, lists, strings).

``call``, ``attribute``, ``subscript`` and ``binop`` are the evaluator's entry points. Each module
of this package holds one kind of library (``files``, ``archives``, ``processes``, ``network``, ``code``,
``environment``, ``text``, ``decoders``, ``containers``) with its handlers and its part of the tables
(``CALLS``: qualified name -> handler, ``METHODS``: (type, method) -> handler, ``PROPERTIES``);
this module joins them.
"""

from __future__ import annotations

import functools

from vectimus.analyser.context import MAX_WORDS, Cmd, Word
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import env_var, join, number, path, slice_of, stringish, text, command_argv
from vectimus.analyser.languages.python.library import (
    archives,
    code,
    containers,
    decoders,
    deserialize,
    environment,
    files,
    network,
    processes,
    strings,
)
from vectimus.analyser.languages.python.library.containers import dict_lookup
from vectimus.analyser.languages.python.library.names import RISKY_MODULES, SHELL_CALLS, arg, canonical
from vectimus.analyser.languages.python.library.strings import MAX_REPEAT, builtin_repr, percent_format, to_str
from vectimus.analyser.languages.values import ALTS, CONST, DICT, ENV, OBJ, REF, SEQ, UNKNOWN, Val

KINDS = (files, archives, processes, network, code, deserialize, environment, strings, decoders, containers)
CALLS: dict = {name: fn for kind in KINDS for name, fn in kind.CALLS.items()}
METHODS: dict = {key: fn for kind in KINDS for key, fn in kind.METHODS.items()}
PROPERTIES: dict = {key: fn for kind in KINDS for key, fn in getattr(kind, "PROPERTIES", {}).items()}
GENERIC_METHODS: dict = {name: fn for kind in KINDS for name, fn in getattr(kind, "GENERIC_METHODS", {}).items()}


def known(qual: str) -> bool:
    """True when the library table knows ``qual`` (for ``from os import *``)."""
    return qual in CALLS or qual in SHELL_CALLS or qual in REF_ATTRIBUTES


def script_argv(cmd: Cmd, code: Word) -> Val:
    """``sys.argv`` as the command line gives it: the script (or ``-c``) and the words after it."""
    return command_argv(cmd, code, (), "-c", (".py",), "sys.argv")


REF_ATTRIBUTES = {
    "os.curdir": lambda ev: V.const("."), "os.sep": lambda ev: V.const("/"),
    "os.pardir": lambda ev: V.const(".."), "os.linesep": lambda ev: V.const("\n"),
    "os.name": lambda ev: V.const("posix"), "sys.platform": lambda ev: V.const("linux"),
    "os.environ": lambda ev: V.obj("environ", None, ENV), "os.environb": lambda ev: V.obj("environ", None, ENV),
    "sys.argv": lambda ev: ev.argv, "sys.executable": lambda ev: V.const(ev.fx.prog),
    "sys.stdout": lambda ev: V.obj("stream", "shown"), "sys.stdin": lambda ev: environment.STDIN,
    "sys.stderr": lambda ev: V.obj("stream", "shown"), "sys.modules": lambda ev: V.obj("namespace", "modules"),
    "string.ascii_lowercase": lambda ev: V.const("abcdefghijklmnopqrstuvwxyz"),
    "string.ascii_uppercase": lambda ev: V.const("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "string.ascii_letters": lambda ev: V.const("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "string.digits": lambda ev: V.const("0123456789"),
    "string.hexdigits": lambda ev: V.const("0123456789abcdefABCDEF"),
    "string.punctuation": lambda ev: V.const("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "string.whitespace": lambda ev: V.const(" \t\n\r\x0b\x0c"),
    "string.printable": lambda ev: V.const("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\x0b\x0c"),
}


def ref_attribute(ev, owner: Val, attr: str) -> Val:
    """``owner.attr`` for a module, class or function of the library (``owner`` is a REF)."""
    qual = qualified(owner.value, attr)
    if attr == "__dict__":
        return V.obj("namespace", owner.value)
    if attr[:2] == "__":
        found = code.introspect(ev, owner, attr)
        if found is not None:
            return found
    special = REF_ATTRIBUTES.get(qual)
    if special is not None:
        return special(ev)
    return Val(REF, qual)



@functools.lru_cache(maxsize=4096)
def qualified(name: str, attr: str) -> str:
    """The canonical name of ``name.attr`` (kept per name and attribute)."""
    return canonical(f"{name}.{attr}")


def attribute(ev, owner: Val, attr: str) -> Val | None:
    """``owner.attr`` for library values; None when not known here."""
    kind = owner.kind
    if kind == REF:
        return ref_attribute(ev, owner, attr)
    if kind == OBJ and owner.value[0] == "anymodule":
        return V.obj("anyattr", (owner.value[1], attr))
    if attr[:2] == "__":
        found = code.introspect(ev, owner, attr)
        if found is not None:
            return found
    type_ = V.type_name(owner)
    if type_ is None:
        return None
    prop = PROPERTIES.get((type_, attr))
    if prop is not None:
        return prop(ev, owner)
    if (type_, attr) in METHODS or attr in GENERIC_METHODS:
        return V.obj("method", (owner, attr))
    return None


def subscript(ev, owner: Val, key: Val) -> Val:
    taint = V.taint_of(owner)
    if owner.kind == ALTS:
        return V.alts([subscript(ev, o, key) for o in owner.value])
    if owner.kind == SEQ:
        if key.kind == CONST and isinstance(key.value, int) and not isinstance(key.value, bool):
            if -len(owner.value) <= key.value < len(owner.value):
                return owner.value[key.value]
        elif key.kind == OBJ and key.value[0] == "slice":
            s = slice_of(key)
            if s is not None:
                return V.Val(SEQ, list(owner.value[s]) if isinstance(owner.value, list) else tuple(owner.value[s]))
        return V.alts(list(owner.value)) if owner.value else V.unknown("an item", taint)
    if owner.kind == CONST and isinstance(owner.value, (str, bytes)):
        try:
            if key.kind == CONST and isinstance(key.value, int):
                item = owner.value[key.value]
                return V.const(item if isinstance(item, (str, int)) else item, owner.taint)
            if key.kind == OBJ and key.value[0] == "slice":
                s = slice_of(key)
                if s is not None:
                    return V.const(owner.value[s], owner.taint)
        except IndexError:
            return V.unknown("an index error")
        return V.unknown("a character", taint)
    if owner.kind == DICT:
        return dict_lookup(owner, key)
    if owner.kind == OBJ:
        kind, data = owner.value
        if kind == "environ":
            return env_var(ev.an, key, cmd=ev.fx.cmd)
        if kind == "namespace":
            name = text(key)
            if name is None:
                return V.unknown("a name")
            if data == "modules":
                return V.ref(canonical(name))
            if data in (None, "builtins"):
                if data is None and ev.lookup(name) is not None:
                    return ev.lookup(name)
                return V.ref(canonical(name))
            return attribute(ev, V.ref(data), name) or V.unknown(name)
    return V.unknown("an item", taint | (owner.item.taint if owner.kind == UNKNOWN and owner.item else 0))


def binop(ev, op, left: Val, right: Val) -> Val:
    import ast

    if left.kind == ALTS or right.kind == ALTS:
        pairs = [(a, b) for a in V.options(left) for b in V.options(right)]
        if len(pairs) <= MAX_WORDS:
            return V.alts([binop(ev, op, a, b) for a, b in pairs])
    taint = V.taint_of(left, right)
    if op is ast.Div and left.kind == OBJ and left.value[0] == "path":
        return path(join([left, right]))
    lt, rt = left.kind == CONST and left.value, right.kind == CONST and right.value
    if op is ast.Add:
        if left.kind == SEQ and right.kind == SEQ:
            items = [*left.value, *right.value]
            return V.Val(SEQ, items if isinstance(left.value, list) else tuple(items))
        if stringish(left) and stringish(right):
            both_bytes = isinstance(lt, bytes) and isinstance(rt, bytes)
            return V.concat([left, right], as_bytes=both_bytes)
        if number(left) and number(right):
            return V.const(left.value + right.value)
    if op is ast.Mult:
        for s, n in ((left, right), (right, left)):
            if s.kind == CONST and isinstance(s.value, (str, bytes)) and number(n) and isinstance(n.value, int):
                if len(s.value) * max(n.value, 0) <= MAX_REPEAT:
                    return V.const(s.value * n.value, taint)
                return V.unknown("a long string", taint)
            if s.kind == SEQ and number(n) and isinstance(n.value, int) and len(s.value) * max(n.value, 0) <= MAX_WORDS:
                return V.seq(list(s.value) * n.value)
        if number(left) and number(right) and abs(left.value) < 2**32 and abs(right.value) < 2**32:
            return V.const(left.value * right.value)
    if op is ast.Mod and left.kind == CONST and isinstance(left.value, str):
        return percent_format(left, right)
    if number(left) and number(right) and abs(left.value) < 2**62 and abs(right.value) < 2**62:
        try:
            if op is ast.Sub:
                return V.const(left.value - right.value)
            if op is ast.FloorDiv:
                return V.const(left.value // right.value)
            if op is ast.Mod:
                return V.const(left.value % right.value)
            if op is ast.BitXor and isinstance(left.value, int) and isinstance(right.value, int):
                return V.const(left.value ^ right.value)
            if op is ast.BitOr and isinstance(left.value, int) and isinstance(right.value, int):
                return V.const(left.value | right.value)
            if op is ast.BitAnd and isinstance(left.value, int) and isinstance(right.value, int):
                return V.const(left.value & right.value)
        except (ZeroDivisionError, TypeError):
            pass
    if op is ast.Add and (stringish(left) or stringish(right)) and UNKNOWN in (left.kind, right.kind):
        return V.concat([left, right])  # text built around a value not known here
    return V.unknown("an operation", taint)


def call(ev, func: Val, args: list[Val], kwargs: dict[str, Val]) -> Val:
    """What calling the library value ``func`` does and returns."""
    if func.kind == REF:
        qual = func.value
        if qual in SHELL_CALLS:
            command = arg(args, kwargs, 0, "cmd", "command")
            if command is not None:
                ev.fx.shell(command, "python subprocess")
            return V.unknown("a command's output")
        handler = CALLS.get(qual)
        if handler is not None:
            return handler(ev, args, kwargs)
        if qual.startswith("ctypes.") and qual.rpartition(".")[2] in ("system", "popen"):
            ev.fx.shell(args[0] if args else V.unknown("a command"), "python ctypes")
            return V.unknown("an exit status")
        return V.unknown(f"{qual}()", V.taint_of(*args, *kwargs.values()))
    if func.kind == OBJ:
        kind, data = func.value
        if kind == "method":
            owner, name = data
            method = METHODS.get((V.type_name(owner), name)) or GENERIC_METHODS.get(name)
            if method is not None:
                return method(ev, owner, args, kwargs)
            if V.is_placeholder(owner):  # from what a caller elsewhere passes: judged where it is seen
                return V.inert(f".{name}()", V.taint_of(*args, *kwargs.values()))
            return V.unknown(f".{name}()", V.taint_of(*args, *kwargs.values()) | V.taint_of(owner))
        if kind == "anyattr":
            module, attr = data
            if module in RISKY_MODULES or attr is None:
                ev.fx.dynamic("python getattr")
            return V.unknown("a call", V.taint_of(*args, *kwargs.values()))
        if kind == "code":
            return V.unknown("a call", V.taint_of(*args, *kwargs.values()))
    if V.is_inert(func) and func.value.startswith(V.FROM_PARAMETER):  # a parameter's method, called
        return V.inert(func.value[1:], V.taint_of(*args, *kwargs.values()) | V.taint_of(func))
    return V.unknown("a call", V.taint_of(*args, *kwargs.values()) | V.taint_of(func))


BUILTINS = {
    "__builtins__", "open", "exec", "eval", "compile", "__import__", "getattr", "print", "input", "str", "bytes",
    "bytearray", "chr", "ord", "repr", "list", "tuple", "set", "dict", "reversed", "sorted", "map",
    "globals", "locals", "vars", "execfile", "format", "len", "range", "zip", "enumerate", "int",
    "hex", "breakpoint", "iter", "next", "filter", "any", "all", "sum", "min", "max", "isinstance", "__loader__",
}


MODULES = {name.split(".")[0] for name in [*CALLS, *SHELL_CALLS]} - BUILTINS


__all__ = ["attribute", "binop", "builtin_repr", "call", "canonical", "known", "ref_attribute", "script_argv",
           "subscript", "to_str"]
