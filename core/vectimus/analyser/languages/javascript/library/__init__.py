"""What JavaScript's platform calls do, for the evaluator: node's ``child_process``, ``fs``,
``path``, ``os``, ``http(s)``, ``net``, ``vm``; ``fetch``, axios, got, undici, execa, zx, shelljs;
``process.env``, ``eval``/``Function``; ``Buffer``/``atob`` decoding; and the ``Deno``/``Bun``
spellings of the same things.

Names are qualified by module: ``child_process.execSync``, ``fs.promises.rm``, ``Deno.remove``.
``call``, ``member`` and ``binary`` are the evaluator's entry points. Each module of this package
holds one kind of library (``processes``, ``files``, ``network``, ``code``, ``data``, ``methods``)
with its handlers and its part of the tables (``CALLS``: qualified name -> handler, ``METHODS``:
(type, method) -> handler, ``GENERIC_METHODS``, ``CALLBACKS``); this module joins them.
"""

from __future__ import annotations

import functools
import posixpath

from vectimus.analyser.context import Cmd, Word
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import env_var, number, stringish, text, to_text, command_argv
from vectimus.analyser.languages.javascript.library import code, data, files, methods, network, processes
from vectimus.analyser.languages.javascript.library.data import ANY_MEMBER, any_member  # noqa: F401  (the evaluator's)
from vectimus.analyser.languages.javascript.library.names import (  # noqa: F401  (the evaluator's too)
    GLOBALS, RUNTIME_MODULES, canonical, module_name,
)
from vectimus.analyser.languages.values import CONST, DICT, ENV, INERT_MARK, OBJ, REF, SEQ, UNKNOWN, Val

KINDS = (processes, files, network, code, data, methods)
CALLS: dict = {name: fn for kind in KINDS for name, fn in getattr(kind, "CALLS", {}).items()}
METHODS: dict = {key: fn for kind in KINDS for key, fn in getattr(kind, "METHODS", {}).items()}
GENERIC_METHODS: dict = {name: fn for kind in KINDS for name, fn in getattr(kind, "GENERIC_METHODS", {}).items()}
# Handlers that run the callbacks they are given themselves.
CALLBACKS: set = {name for kind in KINDS for name in getattr(kind, "CALLBACKS", ())}


def default_export(module: str | None) -> Val:
    if module is None:
        return V.unknown("a module")
    return V.ref(module)


def inline(cmd: Cmd, code: Word) -> bool:
    """True when the code is given on the command line (``node -e``), not read from a script."""
    return any(w is code or (w.text == code.text and not w.dynamic) for w in cmd.words[1:])


def script_argv(cmd: Cmd, code: Word) -> Val:
    """``process.argv``: the runtime, the script, then the words after the code or script."""
    return command_argv(cmd, code, ("node",), "", (".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx"), "process.argv")


def global_name(ev, name: str) -> Val:
    """A name the code did not define: a platform global, or unknown."""
    if name in ("__dirname", "__filename"):
        if ev.inline:  # node -e: the current directory, "[eval]"
            return V.const(".") if name == "__dirname" else V.const("[eval]")
        script = ev.argv.value[1] if ev.argv.kind == SEQ and len(ev.argv.value) > 1 else None
        if script is not None and script.is_str and script.value.endswith((".js", ".mjs", ".cjs", ".ts", ".mts")):
            return V.const(posixpath.dirname(script.value) or ".") if name == "__dirname" else script
        return V.unknown(name)
    if name in ("undefined", "NaN"):
        return V.NONE
    if name in GLOBALS or name in RUNTIME_MODULES:
        return V.ref(name)
    return V.unknown(name)


REF_MEMBERS = {
    "process.env": lambda ev: V.obj("environ", None, ENV), "Deno.env": lambda ev: V.obj("environ", None, ENV),
    "Bun.env": lambda ev: V.obj("environ", None, ENV), "process.argv": lambda ev: ev.argv,
    "Deno.args": lambda ev: V.Val(SEQ, list(ev.argv.value[2:])) if ev.argv.kind == SEQ else V.unknown("args"),
    "Bun.argv": lambda ev: ev.argv, "process.platform": lambda ev: V.const("linux"),
    "process.execPath": lambda ev: V.const(ev.fx.prog), "process.stdout": lambda ev: V.obj("stream", "shown"),
    "process.stderr": lambda ev: V.obj("stream", "shown"), "Deno.stdout": lambda ev: V.obj("stream"),
    "os.EOL": lambda ev: V.const("\n"), "path.sep": lambda ev: V.const("/"),
}


@functools.lru_cache(maxsize=4096)
def qualified(name: str, member: str) -> str:
    """The canonical name of ``name.member`` (kept per name and member)."""
    return canonical(f"{name}.{member}")


def member(ev, owner: Val, name: str) -> Val:
    """``owner.name`` for platform values (a module's function, an object's method or property)."""
    if owner.kind == REF:
        if name in ("then", "catch", "finally"):  # import('x').then(m => …): a promise of the module
            return V.obj("method", (owner, name))
        qual = qualified(owner.value, name)
        special = REF_MEMBERS.get(qual)
        if special is not None:
            return special(ev)
        return Val(REF, qual)
    if name == "constructor" and _is_function(owner):  # f.constructor, [].constructor.constructor
        return V.ref("Function")
    if owner.kind == OBJ:
        kind, data = owner.value
        if kind == "environ" and name not in ("get", "toObject", "has"):
            return env_var(ev.an, V.const(name), cmd=ev.fx.cmd)
        if kind == "anymodule":
            return V.obj("anyattr", name)
        if kind == "process" and name in ("stdin", "stdout", "stderr"):
            return V.obj("pstream", owner)
    if owner.kind == DICT:
        for k, v in reversed(owner.value):
            if k.is_str and k.value == name:
                return v
    if name == "length":
        if owner.kind == CONST and isinstance(owner.value, (str, bytes)):
            return V.const(len(owner.value))
        if owner.kind == SEQ:
            return V.const(len(owner.value))
        if owner.kind == OBJ and owner.value[0] == "partial":  # a string's: an object's may be anything
            return V.numeric(V.taint_of(owner))
    return V.obj("method", (owner, name), V.taint_of(owner) & ~V.SHOWN)  # (a property: not the value's text)


def _is_function(value: Val) -> bool:
    """A function the code defined, or a value's constructor: a function, whose own constructor is
    ``Function``."""
    if value.kind != OBJ:
        return False
    kind, data = value.value
    return kind == "func" or (kind == "method" and data[1] == "constructor")


def binary(left: Val, op: str, right: Val) -> Val:
    if left.kind == V.ALTS or right.kind == V.ALTS:
        pairs = [(a, b) for a in V.options(left) for b in V.options(right)]
        if len(pairs) <= 16:
            return V.alts([binary(a, op, b) for a, b in pairs])
    taint = V.taint_of(left, right)
    if op == "+":
        if number(left) and number(right):
            return V.const(left.value + right.value)
        if stringish(left) or stringish(right) or UNKNOWN in (left.kind, right.kind):
            if left.kind == UNKNOWN and right.kind == UNKNOWN:
                return V.Val(UNKNOWN, "a sum", taint)  # (of strings, maybe: the text of both)
            return V.concat([to_text(left), to_text(right)])
    if number(left) and number(right) and abs(left.value) < 2**53 and abs(right.value) < 2**53:
        a, b = left.value, right.value
        try:
            result = {"-": lambda: a - b, "*": lambda: a * b, "%": lambda: a % b, "/": lambda: a / b,
                      "^": lambda: int(a) ^ int(b), "|": lambda: int(a) | int(b), "&": lambda: int(a) & int(b),
                      "<<": lambda: (int(a) << (int(b) & 31)) & 0xFFFFFFFF,
                      ">>": lambda: int(a) >> (int(b) & 31)}.get(op)
            if result is not None:
                return V.const(result())
        except (ZeroDivisionError, ValueError, OverflowError):
            pass
    if op in COMPARISONS:  # true or false: one bit of what it compares, never the environment it looks in
        taint &= ~V.ENV
    return V.unknown("an operation", taint)


COMPARISONS = frozenset(("in", "instanceof", "==", "===", "!=", "!==", "<", ">", "<=", ">="))


def shell_quoted(value: Val) -> Val:
    """An interpolation in a shell template (Bun's ``$``, zx): one quoted word."""
    import shlex

    t = text(to_text(value))
    if t is not None and value.kind == CONST:
        return V.const(shlex.quote(t), value.taint)
    if value.kind == SEQ:
        return V.concat([shell_quoted(v) if i == 0 else V.concat([V.const(" "), shell_quoted(v)])
                         for i, v in enumerate(value.value)])
    return V.partial("'" + INERT_MARK + "'", V.taint_of(value))  # one word, whatever it holds


def call(ev, func: Val, args: list[Val]) -> Val:
    """What calling the platform value ``func`` does and returns."""
    # The taint of the arguments as they are passed (a handler may change them): read only where
    # it is used, a callback among them or no handler for ``func``.
    callbacks = [a for a in args if a.kind == OBJ and a.value[0] in ("func", "bound")]
    taint = V.taint_of(*args) if callbacks or func.kind != REF else 0
    result: Val | None = None
    handled_callbacks = False
    if func.kind == REF:
        handler = CALLS.get(func.value)
        if handler is None:
            handler = _by_suffix(func.value)
        if handler is None:
            base, _, how = func.value.rpartition(".")
            if how in ("call", "apply", "bind") and (base in CALLS or _by_suffix(base) is not None):
                return function_method(ev, Val(REF, base), how, args)
        if handler is not None:
            result = handler(ev, args)
            handled_callbacks = func.value in CALLBACKS
        elif not callbacks:
            taint = V.taint_of(*args)
    elif func.kind == OBJ:
        kind, data = func.value
        if kind == "method":
            owner, name = data
            method = METHODS.get((V.type_name(owner), name)) or GENERIC_METHODS.get(name)
            if method is not None:
                result = method(ev, owner, args)
                handled_callbacks = name in ("then", "catch", "finally", "forEach", "map", "filter", "connect",
                                             "on", "once")
            elif V.is_placeholder(owner):  # from what a caller elsewhere passes: judged where it is seen
                result = V.inert(f"{V.FROM_PARAMETER[1:]}.{name}()", taint)
            else:
                result = V.unknown(f".{name}()", taint | V.taint_of(owner))
        elif kind == "boundfn":  # f.bind(null, a)(b) calls f(a, b)
            return call(ev, data[0], [*data[1], *args])
        elif kind == "anyattr":
            if data in DANGEROUS_NAMES or data == ANY_MEMBER:  # cp[k](…)
                ev.fx.dynamic("node dynamic import")
            result = V.unknown("a call", taint)
    if result is None:
        result = V.unknown("a call", taint | V.taint_of(func))
    if not handled_callbacks:
        for a in callbacks:  # a library runs the callbacks it is given, with what it has
            ev.callback(a, [V.unknown("a callback argument", taint)])
    return result


def function_method(ev, func: Val, how: str, args: list[Val]) -> Val:
    """``f.call(this, …)``, ``f.apply(this, [...])`` and ``f.bind(this, …)`` of a platform function:
    the function itself, called with those arguments."""
    if how == "call":
        return call(ev, func, args[1:])
    if how == "apply":
        given = args[1] if len(args) > 1 else None
        return call(ev, func, list(given.value) if given is not None and given.kind == SEQ else
                    [V.unknown("arguments", V.taint_of(given))] if given is not None else [])
    return func if len(args) <= 1 else V.obj("boundfn", (func, args[1:]))


def _by_suffix(qual: str):
    """Functions reached through another object of the same module (``fs.promises.default.rm``,
    ``require('fs').promises.rm``) or a runtime namespace."""
    last = qual.rpartition(".")[2]
    if qual.startswith("fs.") and f"fs.{last}" in CALLS:
        return CALLS[f"fs.{last}"]
    return None


DANGEROUS_NAMES = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork", "rmSync",
                   "rm", "unlinkSync", "writeFileSync", "eval", "runInThisContext", "runInNewContext"}
