"""What Python's library calls do, for the evaluator: which record actions (files, processes,
network, code), which fold constants (paths, strings, decoders), and the methods of the objects
they return (paths, files, sockets, HTTP clients, lists, strings).

``call``, ``attribute``, ``subscript`` and ``binop`` are the evaluator's entry points; the tables
at the end map qualified names (``os.system``, ``pathlib.Path.unlink``) to handlers.
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser.context import MAX_WORDS, Cmd, Word
from vectimus.analyser.languages import decode
from vectimus.analyser.languages.folding import (
    blur, element, env_var, fold_str, globbed, join, json_text, number, path, path_val, set_item, slice_of, stringish,
    text, word_vals,
)
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.values import (
    ALTS, CONST, DICT, ENV, OBJ, REF, SECRET, SEQ, UNKNOWN, UNKNOWN_MARK, Val,
)

# Modules with another name for the same functions.
ALIASES = {"posixpath": "os.path", "ntpath": "os.path", "posix": "os", "nt": "os", "__builtin__": "builtins",
           "__builtins__": "builtins",
           "commands": "subprocess", "urllib2": "urllib.request", "_io": "io", "pathlib.PosixPath": "pathlib.Path",
           "pathlib.WindowsPath": "pathlib.Path", "pathlib.PurePath": "pathlib.Path",
           "pathlib.PurePosixPath": "pathlib.Path", "_posixsubprocess": "subprocess"}
_ALIAS_HEADS = {alias.partition(".")[0] for alias in ALIASES} | {"builtins"}
# Modules whose attributes, looked up by a name the code computes, may run anything.
RISKY_MODULES = {"os", "subprocess", "builtins", "pty", "shutil", "importlib", "ctypes", "socket", "pathlib"}
SHELL_CALLS = {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "subprocess.getoutput",
               "subprocess.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen"}
MAX_REPEAT = 4096


def canonical(name: str) -> str:
    """``posixpath.join`` -> ``os.path.join``, ``builtins.open`` -> ``open``."""
    if name.partition(".")[0] not in _ALIAS_HEADS:
        return name
    for alias, real in ALIASES.items():
        if name == alias or name.startswith(alias + "."):
            name = real + name[len(alias):]
            break
    if name.startswith("builtins."):
        name = name[len("builtins."):]
    return name


def known(qual: str) -> bool:
    """True when the library table knows ``qual`` (for ``from os import *``)."""
    return qual in CALLS or qual in SHELL_CALLS or qual in REF_ATTRIBUTES


def script_argv(cmd: Cmd, code: Word) -> Val:
    """``sys.argv`` as the command line gives it: the script (or ``-c``) and the words after it."""
    words = list(cmd.words[1:])
    for i, w in enumerate(words):
        if w is code or (w.text == code.text and not w.dynamic):
            return V.seq([V.const("-c"), *word_vals(words[i + 1:])])
    for i, w in enumerate(words):
        if w.text.endswith(".py") and not w.text.startswith("-"):
            return V.seq(word_vals(words[i:]))
    return V.unknown("sys.argv", item=V.unknown("an argument"))


# -- values ---------------------------------------------------------------------------------------

def to_str(v: Val) -> Val:
    """``str(v)``."""
    if v.kind == OBJ and v.value[0] in ("path", "partial"):
        return path_val(v)
    if v.kind == CONST:
        value = v.value
        if isinstance(value, str):
            return v
        if isinstance(value, (bytes, bytearray)):
            return V.const(repr(bytes(value)), v.taint)
        return V.const(str(value), v.taint)
    if v.kind == ALTS:
        return V.alts([to_str(o) for o in v.value])
    if v.kind == SEQ and all(x.kind == CONST for x in v.value) and len(v.value) <= 64:
        try:
            return V.const(repr(list(x.value for x in v.value) if isinstance(v.value, list)
                                else tuple(x.value for x in v.value)), V.taint_of(v))
        except Exception:  # repr of a folded value
            pass
    return V.unknown("str()", V.taint_of(v))


def builtin_repr(v: Val) -> Val:
    if v.kind == CONST:
        return V.const(repr(v.value), v.taint)
    return V.unknown("repr()", V.taint_of(v))


# -- attributes, subscripts, operators -------------------------------------------------------------

REF_ATTRIBUTES = {
    "os.curdir": lambda ev: V.const("."), "os.sep": lambda ev: V.const("/"),
    "os.pardir": lambda ev: V.const(".."), "os.linesep": lambda ev: V.const("\n"),
    "os.name": lambda ev: V.const("posix"), "sys.platform": lambda ev: V.const("linux"),
    "os.environ": lambda ev: V.obj("environ", None, ENV), "os.environb": lambda ev: V.obj("environ", None, ENV),
    "sys.argv": lambda ev: ev.argv, "sys.executable": lambda ev: V.const(ev.fx.prog),
    "sys.stdout": lambda ev: V.obj("stream"),
    "sys.stderr": lambda ev: V.obj("stream"), "sys.modules": lambda ev: V.obj("namespace", "modules"),
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


def attribute(ev, owner: Val, attr: str) -> Val | None:
    """``owner.attr`` for library values; None when not known here."""
    kind = owner.kind
    if kind == REF:
        qual = canonical(f"{owner.value}.{attr}")
        if attr == "__dict__":
            return V.obj("namespace", owner.value)
        special = REF_ATTRIBUTES.get(qual)
        if special is not None:
            return special(ev)
        return V.ref(qual)
    if kind == OBJ and owner.value[0] == "anymodule":
        return V.obj("anyattr", (owner.value[1], attr))
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
        for k, v in reversed(owner.value):
            if k.kind == CONST and key.kind == CONST and k.value == key.value:
                return v
        return V.unknown("a value", taint)
    if owner.kind == OBJ:
        kind, data = owner.value
        if kind == "environ":
            return env_var(ev.an, key)
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


_PERCENT = re.compile(r"%(?:\((\w+)\))?([-#0 +]*)(\d{0,3})(?:\.(\d{1,3}))?([sdirxXfc%])")


def percent_format(fmt: Val, args: Val) -> Val:
    """``"…%s…" % args`` with unknown arguments left as unknown parts."""
    items = list(args.value) if args.kind == SEQ and not isinstance(args.value, list) else [args]
    parts: list[Val] = []
    pos = 0
    index = 0
    for m in _PERCENT.finditer(fmt.value):
        parts.append(V.const(fmt.value[pos:m.start()]))
        pos = m.end()
        if m.group(5) == "%":
            parts.append(V.const("%"))
            continue
        if m.group(1) is not None:
            item = subscript(None, args, V.const(m.group(1))) if args.kind == DICT else V.unknown("a value")
        else:
            item = items[index] if index < len(items) else V.unknown("a value")
            index += 1
        if item.kind == CONST and not isinstance(item.value, (bytes, bytearray)):
            try:
                parts.append(V.const(m.group(0) % (item.value,), item.taint))
                continue
            except (TypeError, ValueError, OverflowError):
                pass
        parts.append(to_str(item) if item.kind != CONST else V.unknown("a value", item.taint))
    parts.append(V.const(fmt.value[pos:]))
    return V.concat(parts).tainted(V.taint_of(args))


_FIELD = re.compile(r"\{([^{}]*)\}|\{\{|\}\}")


def str_format(fmt: str, args: list[Val], kwargs: dict[str, Val], taint: int) -> Val:
    """``"…{}…".format(…)`` with plain fields; unknown arguments become unknown parts."""
    parts: list[Val] = []
    pos = 0
    auto = 0
    for m in _FIELD.finditer(fmt):
        parts.append(V.const(fmt[pos:m.start()]))
        pos = m.end()
        if m.group(1) is None:
            parts.append(V.const(m.group(0)[0]))
            continue
        field = m.group(1)
        name, _, spec = field.partition(":")
        name, _, conv = name.partition("!")
        if not name:
            item = args[auto] if auto < len(args) else V.unknown("a value")
            auto += 1
        elif name.isdigit():
            item = args[int(name)] if int(name) < len(args) else V.unknown("a value")
        elif name.isidentifier():
            item = kwargs.get(name, V.unknown(name))
        else:
            item = V.unknown("a field")
        if spec and not re.fullmatch(r"[<>^=]?[-+ ]?#?0?\d{0,3}(\.\d{1,3})?[sdxXfgeo%]?", spec):
            item = V.unknown("a formatted value", V.taint_of(item))
        elif spec and item.kind == CONST:
            try:
                item = V.const(format(item.value, spec), item.taint)
            except (ValueError, TypeError):
                item = V.unknown("a formatted value", item.taint)
        parts.append(builtin_repr(item) if conv == "r" else to_str(item))
    parts.append(V.const(fmt[pos:]))
    return V.concat(parts).tainted(taint)


# -- calls ----------------------------------------------------------------------------------------

def call(ev, func: Val, args: list[Val], kwargs: dict[str, Val]) -> Val:
    """What calling the library value ``func`` does and returns."""
    taint = V.taint_of(*args, *kwargs.values())
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
        last = qual.rpartition(".")[2]
        if qual.startswith("ctypes.") and last in ("system", "popen"):
            ev.fx.shell(args[0] if args else V.unknown("a command"), "python ctypes")
            return V.unknown("an exit status")
        return V.unknown(f"{qual}()", taint)
    if func.kind == OBJ:
        kind, data = func.value
        if kind == "method":
            owner, name = data
            method = METHODS.get((V.type_name(owner), name)) or GENERIC_METHODS.get(name)
            if method is not None:
                return method(ev, owner, args, kwargs)
            return V.unknown(f".{name}()", taint | V.taint_of(owner))
        if kind == "anyattr":
            module, attr = data
            if module in RISKY_MODULES or attr is None:
                ev.fx.dynamic("python getattr")
            return V.unknown("a call", taint)
        if kind == "code":
            return V.unknown("a call", taint)
    return V.unknown("a call", taint | V.taint_of(func))


def arg(args: list[Val], kwargs: dict[str, Val], index: int, *names: str) -> Val | None:
    """Argument ``index`` or the keyword ``names``; None when not given."""
    if index is not None and 0 <= index < len(args):
        return args[index]
    for n in names:
        if n in kwargs:
            return kwargs[n]
    return None


def _truthy(v: Val | None) -> bool | None:
    if v is None:
        return False
    if v.kind == CONST:
        return bool(v.value)
    return None


# files ------------------------------------------------------------------------------------------

def _open(ev, args, kwargs, mode_index: int = 1, target: Val | None = None) -> Val:
    target = target if target is not None else arg(args, kwargs, 0, "file", "filename", "path")
    if target is None:
        return V.unknown("a file")
    mode = arg(args, kwargs, mode_index, "mode")
    mode_text = text(mode) if mode is not None else "r"
    if target.kind == CONST and isinstance(target.value, int):
        return V.obj("file", {"path": target, "taint": 0})  # a file descriptor
    if mode_text is None:
        mode_text = "r+"
    secret = False
    if "r" in mode_text or "+" in mode_text or not re.search(r"[wax]", mode_text):
        secret = ev.fx.file("file_read", target)
    if re.search(r"[wax+]", mode_text):
        ev.fx.file("file_write", target, ("a",) if "a" in mode_text else ())
    return V.obj("file", {"path": path_val(target), "taint": SECRET if secret else 0}, SECRET if secret else 0)


def _os_open(ev, args, kwargs) -> Val:
    import os as _os

    target = arg(args, kwargs, 0, "path")
    flags = arg(args, kwargs, 1, "flags")
    if target is None:
        return V.unknown("a file descriptor")
    writes = True
    if flags is not None and flags.kind == CONST and isinstance(flags.value, int):
        writes = bool(flags.value & (_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_TRUNC | _os.O_APPEND))
    secret = ev.fx.file("file_read", target) if not (flags is not None and flags.kind == CONST
                                                      and flags.value & _os.O_WRONLY) else False
    if writes:
        ev.fx.file("file_write", target)
    return V.unknown("a file descriptor", SECRET if secret else 0)


def _deleter(recursive: bool):
    def handler(ev, args, kwargs):
        target = arg(args, kwargs, 0, "path", "name")
        if target is not None:
            ev.fx.file("file_delete", target, ("r",) if recursive else ())
        return V.NONE
    return handler


def _writer(index: int = 0, *names: str):
    def handler(ev, args, kwargs):
        target = arg(args, kwargs, index, *(names or ("path",)))
        if target is not None:
            ev.fx.file("file_write", target)
        return V.NONE
    return handler


def _copier(moves: bool, recursive: bool = False):
    def handler(ev, args, kwargs):
        src, dst = arg(args, kwargs, 0, "src", "source"), arg(args, kwargs, 1, "dst", "destination")
        if src is not None:
            if moves:
                ev.fx.file("file_delete", src, ("r",) if recursive else ())
            else:
                ev.fx.file("file_read", src)
        if dst is not None:
            ev.fx.file("file_write", dst, ("r",) if recursive else ())
        return dst if dst is not None else V.NONE
    return handler


def _link(ev, args, kwargs):
    dst = arg(args, kwargs, 1, "dst")
    if dst is not None:
        ev.fx.file("file_write", dst)
    return V.NONE


def _listing(kind: str):
    def handler(ev, args, kwargs):
        target = arg(args, kwargs, 0, "path", "top", "pathname")
        if target is None:
            target = V.const(".")
        below = join([target, V.Val(CONST, "*", glob=True)]) if kind != "glob" else path_val(target)
        below = globbed(below)
        name = V.Val(CONST, "*", glob=True)
        if kind == "listdir":
            return V.unknown("names", item=name)
        if kind == "scandir":
            return V.unknown("entries", item=V.obj("direntry", below))
        if kind == "walk":
            names = V.unknown("names", item=name)
            return V.unknown("a walk", item=V.seq([below, names, names]))
        return V.unknown("paths", item=below)
    return handler


def _chdir(ev, args, kwargs):
    target = arg(args, kwargs, 0, "path")
    if target is not None:
        ev.fx.chdir(target)
    return V.NONE


def _tempdir(ev, args, kwargs):
    base = ev.an.env.get("TMPDIR") or "/tmp"
    return V.Val(CONST, f"{base.rstrip('/')}/tmp*", glob=True)


# processes --------------------------------------------------------------------------------------

def _socket_of(v: Val | None) -> Val | None:
    if v is None:
        return None
    if v.kind == OBJ and v.value[0] == "socket":
        return v
    if v.kind == OBJ and v.value[0] == "fd":
        return _socket_of(v.value[1])
    return None


def _subprocess(ev, args, kwargs) -> Val:
    command = arg(args, kwargs, 0, "args")
    if command is None:
        return V.unknown("a process")
    executable = kwargs.get("executable")
    shell = _truthy(kwargs.get("shell"))
    wired = None
    for stream in ("stdin", "stdout", "stderr"):
        wired = wired or _socket_of(kwargs.get(stream))
    cmd = ev.fx.in_dir(kwargs.get("cwd"))
    if "input" in kwargs:
        ev.fx.output(kwargs["input"])
    for option in V.options(command):
        is_list = option.kind == SEQ
        if shell is not False and (not is_list or shell):
            text_val = option.value[0] if is_list and option.value else option
            if shell is None and not is_list and text(option) is not None and " " not in text(option):
                ev.fx.argv([option], "python subprocess", cmd, wired)  # a bare program name either way
                continue
            if wired is not None:
                ev.fx.wired, saved = wired, ev.fx.wired
                ev.fx.shell(text_val, "python subprocess", cmd)
                ev.fx.wired = saved
            else:
                ev.fx.shell(text_val, "python subprocess", cmd)
        else:
            items = list(option.value) if is_list else [option] if option.kind != UNKNOWN else None
            if items is None:
                if not V.is_placeholder(option):
                    ev.fx.dynamic("python subprocess", cmd=cmd)
                continue
            if executable is not None and items:
                items[0] = executable
            ev.fx.argv(items, "python subprocess", cmd, wired)
    return V.obj("process", None)


def _exec_v(skip: int, has_env: bool):
    """os.execv(path, args) / os.spawnv(mode, path, args) / os.posix_spawn(path, argv, env)."""
    def handler(ev, args, kwargs):
        program = arg(args, kwargs, skip, "path", "file")
        argv = arg(args, kwargs, skip + 1, "args", "argv")
        if program is None:
            return V.unknown("a process")
        rest = list(argv.value[1:]) if argv is not None and argv.kind == SEQ else (
            [V.unknown("arguments", V.taint_of(argv))] if argv is not None else [])
        ev.fx.argv([program, *rest], "python exec")
        return V.unknown("a process")
    return handler


def _exec_l(skip: int, has_env: bool):
    """os.execl(path, arg0, arg1, …) / os.spawnl(mode, path, arg0, …)."""
    def handler(ev, args, kwargs):
        if len(args) <= skip:
            return V.unknown("a process")
        rest = args[skip + 2:]
        if has_env and rest:
            rest = rest[:-1]
        ev.fx.argv([args[skip], *rest], "python exec")
        return V.unknown("a process")
    return handler


def _pty_spawn(ev, args, kwargs):
    argv = arg(args, kwargs, 0, "argv")
    if argv is not None:
        items = list(argv.value) if argv.kind == SEQ else [argv]
        ev.fx.argv(items, "python pty.spawn")
    return V.const(0)


def _create_exec(ev, args, kwargs):
    if args:
        ev.fx.argv(list(args), "python subprocess")
    return V.obj("process", None)


def _dup2(ev, args, kwargs):
    sock = _socket_of(args[0]) if args else None
    if sock is not None:
        ev.fx.wire(sock)
    return V.unknown("a file descriptor")


def _thread(ev, args, kwargs):
    target = kwargs.get("target")
    call_args = kwargs.get("args")
    if target is not None:
        ev.call(target, list(call_args.value) if call_args is not None and call_args.kind == SEQ else [], {})
    return V.obj("thread", None)


def _register(ev, args, kwargs):
    if args:
        ev.call(args[0], list(args[1:]), dict(kwargs))
    return args[0] if args else V.NONE


# code -------------------------------------------------------------------------------------------

def _exec(ev, args, kwargs):
    """exec / eval: known source runs here, in the same namespace; unknown source is dynamic."""
    source = arg(args, kwargs, 0, "source", "object")
    if source is None:
        return V.NONE
    results = []
    for option in V.options(source):
        if option.kind == OBJ and option.value[0] == "code":
            option = option.value[1]
        if option.kind == CONST and isinstance(option.value, (str, bytes)):
            results.append(ev.exec_source(V.text_of(option), "python eval"))
        elif not V.is_placeholder(option):
            ev.fx.dynamic("python eval")
    return V.alts(results) if results else V.unknown("an evaluated value", V.taint_of(source))


def _compile(ev, args, kwargs):
    source = arg(args, kwargs, 0, "source")
    return V.obj("code", source if source is not None else V.unknown("code"))


def _import(ev, args, kwargs):
    name = arg(args, kwargs, 0, "name")
    t = text(name) if name is not None else None
    if t is None:
        return V.obj("anymodule", None)
    return V.ref(canonical(t))


def _getattr(ev, args, kwargs):
    if len(args) < 2:
        return V.unknown("an attribute")
    owner, name = args[0], args[1]
    t = text(name)
    if t is None:
        if owner.kind == REF:
            return V.obj("anyattr", (owner.value.split(".")[0], None))
        return V.unknown("an attribute", V.taint_of(owner))
    return ev.attribute(owner, t)


def _unpickle(ev, args, kwargs):
    data = args[0] if args else None
    if data is not None and data.kind == CONST:
        ev.fx.dynamic("python pickle")  # a literal pickle is code (its reduce calls run)
    return V.unknown("an object", V.taint_of(data) if data is not None else 0)


def _namespace(ev, args, kwargs):
    if args and args[0].kind == REF:
        return V.obj("namespace", args[0].value)
    return V.obj("namespace", None)


def _runpy(ev, args, kwargs):
    target = args[0] if args else None
    if target is not None:
        ev.fx.file("file_read", target)
    ev.fx.dynamic("python runpy")
    return V.unknown("a namespace")


# the environment and output -------------------------------------------------------------------------

def _getenv(ev, args, kwargs):
    return env_var(ev.an, args[0] if args else V.unknown("?"), args[1] if len(args) > 1 else None)


def _print(ev, args, kwargs):
    ev.fx.output(*args)
    return V.NONE


def _json_dumps(ev, args, kwargs):
    return json_text(args[0] if args else V.NONE)


def _json_dump(ev, args, kwargs):
    if args:
        ev.fx.output(args[0])
    return V.NONE


# decoders ---------------------------------------------------------------------------------------

def _decoder(fn):
    def handler(ev, args, kwargs):
        data = args[0] if args else None
        if data is None:
            return V.unknown("decoded data")
        results = []
        for o in V.options(data):
            raw = o.value if o.kind == CONST and isinstance(o.value, (str, bytes, bytearray)) else None
            out = fn(raw, args, kwargs) if raw is not None else None
            if out is None:
                return V.unknown("decoded data", V.taint_of(data))
            results.append(V.const(out, o.taint))
        return V.alts(results)
    return handler


def _b64(raw, args, kwargs):
    alt = args[1].value if len(args) > 1 and args[1].kind == CONST and isinstance(args[1].value, bytes) else None
    return decode.base64(raw, altchars=alt)


def _b64encode(raw, args, kwargs):
    import binascii

    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    return binascii.b2a_base64(data, newline=False) if len(data) <= decode.LIMIT // 2 else None


def _codecs_decode(ev, args, kwargs):
    data = arg(args, kwargs, 0, "obj")
    encoding = arg(args, kwargs, 1, "encoding")
    name = text(encoding) if encoding is not None else "utf-8"
    if data is None or name is None:
        return V.unknown("decoded data", V.taint_of(data) if data is not None else 0)
    if data.kind == CONST and isinstance(data.value, (str, bytes, bytearray)):
        out = decode.by_codec(data.value, name)
        if out is not None:
            return V.const(out, data.taint)
    return V.unknown("decoded data", V.taint_of(data))


def _wbits(args, kwargs) -> int:
    wbits = arg(args, kwargs, 1, "wbits")
    return wbits.value if wbits is not None and number(wbits) and isinstance(wbits.value, int) else 15


def _fromhex(raw, args, kwargs):
    return decode.hexa(raw) if isinstance(raw, str) else None


def _chr(ev, args, kwargs):
    v = args[0] if args else None
    if v is not None and number(v) and isinstance(v.value, int) and 0 <= v.value < 0x110000:
        return V.const(chr(v.value))
    return V.unknown("a character", V.taint_of(v) if v is not None else 0)


def _bytes_ctor(ev, args, kwargs):
    if not args:
        return V.const(b"")
    v = args[0]
    if v.kind == CONST and isinstance(v.value, str):
        enc = text(args[1]) if len(args) > 1 else "utf-8"
        try:
            return V.const(v.value.encode(enc or "utf-8"), v.taint)
        except (LookupError, UnicodeEncodeError):
            return V.unknown("bytes", v.taint)
    if v.kind == CONST and isinstance(v.value, (bytes, bytearray)):
        return V.const(bytes(v.value), v.taint)
    if v.kind == SEQ and len(v.value) <= decode.LIMIT and \
            all(number(x) and isinstance(x.value, int) and 0 <= x.value < 256 for x in v.value):
        return V.const(bytes(x.value for x in v.value))
    return V.unknown("bytes", V.taint_of(v))


def _str_ctor(ev, args, kwargs):
    if not args:
        return V.const("")
    if len(args) > 1 and args[0].kind == CONST and isinstance(args[0].value, (bytes, bytearray)):
        try:
            return V.const(bytes(args[0].value).decode(text(args[1]) or "utf-8"), args[0].taint)
        except (LookupError, UnicodeDecodeError):
            return V.unknown("a string", args[0].taint)
    return to_str(args[0])


def _seq_ctor(ev, args, kwargs):
    if not args:
        return V.Val(SEQ, [])
    v = args[0]
    if v.kind == SEQ:
        return V.Val(SEQ, list(v.value))
    if v.kind == CONST and isinstance(v.value, str) and len(v.value) <= 4096:
        return V.Val(SEQ, [V.const(c, v.taint) for c in v.value])
    if v.kind == CONST and isinstance(v.value, bytes) and len(v.value) <= 4096:
        return V.Val(SEQ, [V.const(c, v.taint) for c in v.value])
    if v.kind == DICT:
        return V.Val(SEQ, [k for k, _ in v.value])
    return V.unknown("items", V.taint_of(v), item=element(v))


def _reversed(ev, args, kwargs):
    if args and args[0].kind == SEQ:
        return V.Val(SEQ, list(reversed(args[0].value)))
    if args and args[0].kind == CONST and isinstance(args[0].value, (str, bytes)):
        return V.Val(SEQ, [V.const(c, args[0].taint) for c in reversed(args[0].value)])
    return V.unknown("items", V.taint_of(*args), item=element(args[0]) if args else None)


def _map(ev, args, kwargs):
    if len(args) >= 2 and args[1].kind == SEQ and len(args[1].value) <= 256:
        return V.Val(SEQ, [ev.call(args[0], [item], {}) for item in args[1].value])
    if len(args) >= 2:
        return V.unknown("items", V.taint_of(*args), item=ev.call(args[0], [element(args[1])], {}))
    return V.unknown("items")


def _dict_ctor(ev, args, kwargs):
    if args and args[0].kind == DICT:
        return V.Val(DICT, [list(p) for p in args[0].value] + [[V.const(k), v] for k, v in kwargs.items()])
    if not args:
        return V.Val(DICT, [[V.const(k), v] for k, v in kwargs.items()])
    return V.unknown("a dict", V.taint_of(*args, *kwargs.values()))


def _which(ev, args, kwargs):
    return args[0] if args and args[0].kind == CONST else V.unknown("a program path")


def _expandvars(ev, args, kwargs):
    v = args[0] if args else None
    t = text(v) if v is not None else None
    if t is None:
        return V.unknown("a path", V.taint_of(v) if v is not None else 0)
    parts: list[Val] = []
    pos = 0
    for m in re.finditer(r"\$(\w+)|\$\{(\w+)\}", t):
        parts.append(V.const(t[pos:m.start()]))
        parts.append(env_var(ev.an, V.const(m.group(1) or m.group(2))))
        pos = m.end()
    parts.append(V.const(t[pos:]))
    return V.concat(parts)


def _shlex_split(ev, args, kwargs):
    import shlex

    t = text(args[0]) if args else None
    if t is None or not args[0].is_str:
        return V.unknown("words", V.taint_of(*args), item=V.unknown("a word", V.taint_of(*args)))
    try:
        return V.Val(SEQ, [V.const(w, args[0].taint) for w in shlex.split(t)])
    except ValueError:
        return V.unknown("words", args[0].taint)


def _shlex_join(ev, args, kwargs):
    import shlex

    if args and args[0].kind == SEQ:
        parts: list[Val] = []
        for i, item in enumerate(args[0].value):
            if i:
                parts.append(V.const(" "))
            parts.append(V.const(shlex.quote(item.value), item.taint) if item.is_str
                         else V.partial("'" + UNKNOWN_MARK + "'", item.taint))
        return V.concat(parts)
    return V.unknown("a command line", V.taint_of(*args))


def _shlex_quote(ev, args, kwargs):
    import shlex

    v = args[0] if args else V.const("")
    if v.is_str:
        return V.const(shlex.quote(v.value), v.taint)
    return V.partial("'" + UNKNOWN_MARK + "'", V.taint_of(v))


def _os_path(fn):
    def handler(ev, args, kwargs):
        return fold_str(fn, path_val(args[0])) if args else V.unknown("a path")
    return handler


def _identity_path(ev, args, kwargs):
    return path_val(args[0]) if args else V.const(".")


def _os_path_join(ev, args, kwargs):
    return join(list(args))


def _path_ctor(ev, args, kwargs):
    if not args:
        return path(V.const("."))
    return path(join(list(args)))


def _home(ev, args, kwargs):
    return path(V.const(ev.an.env.get("HOME") or ev.an.places.home))


# network ----------------------------------------------------------------------------------------

BODY = ("data", "json", "files", "content", "body", "fields", "params")
HEADERS = ("headers", "auth", "cookies")
HTTP_METHODS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
                "head": "HEAD", "options": "OPTIONS", "stream": None, "request": None, "urlopen": None,
                "fetch": None, "send": None}


def http(ev, method: str | None, args: list[Val], kwargs: dict[str, Val], base: Val | None = None) -> Val:
    """An HTTP request by requests/httpx/aiohttp/urllib3 spelling: ``method`` None takes it first."""
    args = list(args)
    if method is None and "method" not in kwargs:
        args = args[1:]  # request(method, url, …): what is sent is in the body arguments
    url = arg(args, kwargs, 0, "url")
    if url is None:
        return V.obj("response", None)
    if base is not None and not (text(url) or "").startswith(("http://", "https://")):
        url = V.concat([base, url])
    body = tuple(kwargs[k] for k in BODY if k in kwargs)
    if len(args) > 1:
        body += (args[1],)
    headers = tuple(kwargs[k] for k in HEADERS if k in kwargs)
    ev.fx.network(url, data=body, headers=headers, scheme="http")
    return V.obj("response", None)


def _http_fn(method: str | None):
    return lambda ev, args, kwargs: http(ev, method, args, kwargs)


def _http_client(ev, args, kwargs):
    return V.obj("http", {"base": kwargs.get("base_url")})


def _urlopen(ev, args, kwargs):
    target = arg(args, kwargs, 0, "url")
    data = arg(args, kwargs, 1, "data")
    if target is None:
        return V.obj("response", None)
    for option in V.options(target):
        if option.kind == OBJ and option.value[0] == "request":
            req = option.value[1]
            body = tuple(x for x in (req.get("data"), data) if x is not None)
            ev.fx.network(req["url"], data=body, headers=req.get("headers", ()), scheme="http")
        else:
            ev.fx.network(option, data=(data,) if data is not None else (), scheme="http")
    return V.obj("response", None)


def _request_obj(ev, args, kwargs):
    url = arg(args, kwargs, 0, "url")
    data = arg(args, kwargs, 1, "data")
    headers = arg(args, kwargs, 2, "headers")
    return V.obj("request", {"url": url if url is not None else V.unknown("a URL"), "data": data,
                             "headers": (headers,) if headers is not None else ()})


def _urlretrieve(ev, args, kwargs):
    url = arg(args, kwargs, 0, "url")
    if url is not None:
        ev.fx.network(url, scheme="http")
    target = arg(args, kwargs, 1, "filename")
    if target is not None:
        ev.fx.file("file_write", target)
    return V.unknown("a download")


def _connection(scheme: str):
    def handler(ev, args, kwargs):
        host = arg(args, kwargs, 0, "host")
        port = arg(args, kwargs, 1, "port")
        return V.obj("httpconn", {"scheme": scheme, "host": host if host is not None else V.unknown("a host"),
                                  "port": port.value if port is not None and number(port) else 0})
    return handler


def _service(scheme: str, host_kw: str = "host"):
    """ftplib.FTP / smtplib.SMTP / telnetlib.Telnet / poplib / imaplib: a connection to a host."""
    def handler(ev, args, kwargs):
        host = arg(args, kwargs, 0, host_kw)
        port = arg(args, kwargs, 1, "port")
        state = {"host": host, "port": port.value if port is not None and number(port) else 0, "scheme": scheme}
        if host is not None and not (host.kind == CONST and not host.value):
            ev.fx.network(host, scheme=scheme, port=state["port"])
        return V.obj("service", state)
    return handler


def _socket(ev, args, kwargs):
    return V.obj("socket", {})


def _address(ev, v: Val | None) -> tuple[Val | None, int]:
    if v is None:
        return None, 0
    if v.kind == SEQ and len(v.value) >= 2:
        port = v.value[1]
        return v.value[0], port.value if number(port) and isinstance(port.value, int) else 0
    if v.kind == CONST and isinstance(v.value, str):
        return v, 0  # an AF_UNIX path
    return V.unknown("an address", V.taint_of(v)), 0


def _connect(ev, sock: Val, address: Val | None) -> None:
    host, port = _address(ev, address)
    if host is None:
        return
    sock.value[1]["host"], sock.value[1]["port"] = host, port
    if host.kind == CONST and isinstance(host.value, str) and host.value.startswith("/"):
        return  # a unix socket
    ev.fx.network(host, scheme="tcp", port=port, data=(host,) if V.taint_of(host) else ())


def _create_connection(ev, args, kwargs):
    sock = V.obj("socket", {})
    _connect(ev, sock, arg(args, kwargs, 0, "address"))
    return sock


def _gethostbyname(ev, args, kwargs):
    host = args[0] if args else None
    if host is not None:
        ev.fx.network(host, data=(host,) if V.taint_of(host) else (), scheme="dns")
    return V.unknown("an address")


def _ssl_wrap(ev, args, kwargs):
    return args[0] if args else V.obj("socket", {})


def _clib(ev, args, kwargs):
    return V.obj("clib", None)


# -- methods of library objects ------------------------------------------------------------------

def _m_path_read(ev, owner, args, kwargs):
    secret = ev.fx.file("file_read", owner)
    return V.unknown("file contents", SECRET if secret else 0)


def _m_path_write(ev, owner, args, kwargs):
    ev.fx.file("file_write", owner)
    if args:
        ev.fx.output(args[0])
    return V.NONE


def _m_path_open(ev, owner, args, kwargs):
    return _open(ev, [owner, *args], kwargs, mode_index=1)


def _m_path_delete(recursive: bool):
    def handler(ev, owner, args, kwargs):
        ev.fx.file("file_delete", owner, ("r",) if recursive else ())
        return V.NONE
    return handler


def _m_path_touch(ev, owner, args, kwargs):
    ev.fx.file("file_write", owner)
    return V.NONE


def _m_path_rename(ev, owner, args, kwargs):
    ev.fx.file("file_delete", owner)
    target = args[0] if args else V.unknown("a path")
    ev.fx.file("file_write", target)
    return path(target)


def _m_path_same(ev, owner, args, kwargs):
    return owner


def _m_path_join(ev, owner, args, kwargs):
    return path(join([owner, *args]))


def _m_path_glob(recursive: bool):
    def handler(ev, owner, args, kwargs):
        pattern = text(args[0]) if args else "*"
        if pattern is None:
            pattern = "*"
        if recursive and pattern != "*":
            pattern = "**/" + pattern
        return V.unknown("paths", item=path(globbed(join([owner, V.const(pattern)]))))
    return handler


def _m_path_iterdir(ev, owner, args, kwargs):
    return V.unknown("paths", item=path(globbed(join([owner, V.const("*")]))))


def _m_path_with(which: str):
    def handler(ev, owner, args, kwargs):
        value = args[0] if args else V.const("")
        def fold(t: str) -> str:
            if which == "name":
                return posixpath.join(posixpath.dirname(t), value.value)
            return posixpath.splitext(t)[0] + value.value
        if not value.is_str:
            return path(V.unknown("a path"))
        return path(fold_str(fold, path_val(owner)))
    return handler


def _p_parent(ev, owner):
    return path(fold_str(lambda t: posixpath.dirname(t.rstrip("/")) or ".", path_val(owner)))


def _p_name(ev, owner):
    return fold_str(lambda t: posixpath.basename(t.rstrip("/")), path_val(owner))


def _p_stem(ev, owner):
    return fold_str(lambda t: posixpath.splitext(posixpath.basename(t.rstrip("/")))[0], path_val(owner))


def _p_suffix(ev, owner):
    return fold_str(lambda t: posixpath.splitext(t)[1], path_val(owner))


def _m_file_read(ev, owner, args, kwargs):
    return V.unknown("file contents", owner.value[1].get("taint", 0) if owner.value[1] else 0)


def _m_write_data(ev, owner, args, kwargs):
    if args:
        ev.fx.output(args[0])
    return V.NONE


def _m_fileno(ev, owner, args, kwargs):
    return V.obj("fd", owner)


def _m_socket_connect(ev, owner, args, kwargs):
    _connect(ev, owner, args[0] if args else None)
    return V.NONE


def _m_socket_bind(ev, owner, args, kwargs):
    host, port = _address(ev, args[0] if args else None)
    if host is not None and not (host.kind == CONST and isinstance(host.value, str) and host.value.startswith("/")):
        if host.kind == CONST and host.value == "":
            host = V.const("0.0.0.0")
        ev.fx.network(host, scheme="tcp", port=port, listens=True)
    return V.NONE


def _m_socket_send(ev, owner, args, kwargs):
    data = args[0] if args else None
    state = owner.value[1]
    if data is not None and V.taint_of(data) and state.get("host") is not None:
        ev.fx.network(state["host"], scheme="tcp", port=state.get("port", 0), data=(data,))
    return V.unknown("a count")


def _m_socket_sendto(ev, owner, args, kwargs):
    data = args[0] if args else None
    host, port = _address(ev, args[-1] if len(args) > 1 else None)
    if host is not None:
        ev.fx.network(host, scheme="udp", port=port, data=(data,) if data is not None else ())
    return V.unknown("a count")


def _open_connection(ev, args, kwargs):
    """asyncio.open_connection(host, port): a reader and a writer on one socket."""
    sock = V.obj("socket", {})
    _connect(ev, sock, V.seq([arg(args, kwargs, 0, "host") or V.const("localhost"),
                              arg(args, kwargs, 1, "port") or V.const(0)]))
    return V.seq([V.unknown("a stream reader"), sock])


def _m_socket_recv(ev, owner, args, kwargs):
    return V.unknown("data from the network")


def _m_service_send(ev, owner, args, kwargs):
    state = owner.value[1]
    data = tuple(a for a in args if V.taint_of(a))
    if data and state.get("host") is not None:
        ev.fx.network(state["host"], scheme=state.get("scheme", ""), port=state.get("port", 0), data=data)
    return V.unknown("a reply")


def _m_service_connect(ev, owner, args, kwargs):
    state = owner.value[1]
    host = arg(args, kwargs, 0, "hostname", "host")
    if host is not None:
        state["host"] = host
        ev.fx.network(host, scheme=state.get("scheme", "ssh"))
    return V.NONE


def _m_http(method: str | None):
    def handler(ev, owner, args, kwargs):
        data = owner.value[1] or {}
        return http(ev, method, args, kwargs, base=data.get("base"))
    return handler


def _m_conn_request(ev, owner, args, kwargs):
    state = owner.value[1]
    url = arg(args, kwargs, 1, "url")
    body = arg(args, kwargs, 2, "body")
    headers = arg(args, kwargs, 3, "headers")
    _conn_network(ev, state, url, (body,) if body is not None else (), (headers,) if headers is not None else ())
    return V.NONE


def _m_conn_send(ev, owner, args, kwargs):
    if args:
        _conn_network(ev, owner.value[1], None, (args[0],), ())
    return V.NONE


def _conn_network(ev, state, url, body, headers) -> None:
    host = state["host"]
    port = state.get("port") or 0
    prefix = V.concat([V.const(state["scheme"] + "://"), host, V.const(f":{port}" if port else "")])
    target = V.concat([prefix, url]) if url is not None else prefix
    ev.fx.network(target, data=body, headers=headers, scheme=state["scheme"])


def _m_process_communicate(ev, owner, args, kwargs):
    data = arg(args, kwargs, 0, "input")
    if data is not None:
        ev.fx.output(data)
    return V.unknown("a process's output")


def _m_clib_system(ev, owner, args, kwargs):
    ev.fx.shell(args[0] if args else V.unknown("a command"), "python ctypes")
    return V.unknown("an exit status")


def _m_stream_write(ev, owner, args, kwargs):
    ev.fx.output(*args)
    return V.NONE


def _m_environ_get(ev, owner, args, kwargs):
    return env_var(ev.an, args[0] if args else V.unknown("?"), args[1] if len(args) > 1 else None)


def _m_environ_all(ev, owner, args, kwargs):
    return V.unknown("the environment", ENV, item=V.unknown("a variable", ENV))


def _m_environ_set(ev, owner, args, kwargs):
    return V.NONE


# strings and containers

def _m_join(ev, owner, args, kwargs):
    items = args[0] if args else V.seq([])
    sep = owner
    if items.kind == SEQ and len(items.value) <= 4096:
        parts: list[Val] = []
        for i, item in enumerate(items.value):
            if i:
                parts.append(sep)
            parts.append(item if stringish(item) else V.unknown("an item", V.taint_of(item)))
        return V.concat(parts, as_bytes=isinstance(owner.value, bytes))
    return V.unknown("joined text", V.taint_of(items, owner))


def _m_format(ev, owner, args, kwargs):
    return str_format(owner.value, args, kwargs, V.taint_of(owner, *args, *kwargs.values()))


def _m_format_map(ev, owner, args, kwargs):
    mapping = args[0] if args else V.Val(DICT, [])
    kw = {k.value: v for k, v in mapping.value if k.is_str} if mapping.kind == DICT else {}
    return str_format(owner.value, [], kw, V.taint_of(owner, mapping))


def _m_str(fn):
    """A str/bytes method that folds when its arguments are known."""
    def handler(ev, owner, args, kwargs):
        if all(a.kind == CONST for a in args) and owner.kind == CONST:
            try:
                result = fn(owner.value, *[a.value for a in args])
            except Exception:  # the code's own call would raise: the value is unknown
                return V.unknown("a string", V.taint_of(owner))
            if isinstance(result, (list, tuple)):
                return V.Val(SEQ, [V.const(r, owner.taint) for r in result])
            if isinstance(result, (str, bytes)) and len(result) > decode.LIMIT:
                return V.unknown("a long string", owner.taint)
            return V.const(result, owner.taint)
        return V.unknown("a string", V.taint_of(owner, *args))
    return handler


def _m_decode(ev, owner, args, kwargs):
    encoding = text(arg(args, kwargs, 0, "encoding") or V.const("utf-8")) or "utf-8"
    errors = text(arg(args, kwargs, 1, "errors") or V.const("strict")) or "strict"
    if owner.kind == CONST and isinstance(owner.value, (bytes, bytearray)):
        out = decode.by_codec(bytes(owner.value), encoding)
        if out is None:
            try:
                out = bytes(owner.value).decode(encoding, errors)
            except (LookupError, UnicodeDecodeError):
                return V.unknown("text", owner.taint)
        return V.const(out, owner.taint)
    if owner.kind == CONST and isinstance(owner.value, str):
        out = decode.by_codec(owner.value, encoding)
        return V.const(out, owner.taint) if out is not None else V.unknown("text", owner.taint)
    return owner if owner.kind == OBJ and owner.value[0] == "partial" else V.unknown("text", V.taint_of(owner))


def _m_encode(ev, owner, args, kwargs):
    encoding = text(arg(args, kwargs, 0, "encoding") or V.const("utf-8")) or "utf-8"
    if owner.kind == CONST and isinstance(owner.value, str):
        special = decode.by_codec(owner.value, encoding) if encoding.lower().startswith("rot") else None
        if special is not None:
            return V.const(special, owner.taint)
        try:
            return V.const(owner.value.encode(encoding, "surrogateescape"), owner.taint)
        except (LookupError, UnicodeEncodeError):
            return V.unknown("bytes", owner.taint)
    return owner if owner.kind == OBJ and owner.value[0] == "partial" else V.unknown("bytes", V.taint_of(owner))


def _m_list_append(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        owner.value.append(args[0])
    return V.NONE


def _m_list_extend(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        owner.value.extend(ev.iterate_all(args[0]))
    return V.NONE


def _m_list_insert(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and len(args) >= 2:
        if number(args[0]) and isinstance(args[0].value, int):
            owner.value.insert(args[0].value, args[1])
        else:
            blur(owner, args[1])
    return V.NONE


def _m_list_pop(ev, owner, args, kwargs):
    if not isinstance(owner.value, list) or not owner.value:
        return V.unknown("an item")
    index = args[0] if args else V.const(-1)
    if number(index) and isinstance(index.value, int) and -len(owner.value) <= index.value < len(owner.value):
        return owner.value.pop(index.value)
    item = V.alts(list(owner.value))
    blur(owner)
    return item


def _m_list_remove(ev, owner, args, kwargs):
    if isinstance(owner.value, list) and args:
        for i, item in enumerate(owner.value):
            if item.kind == CONST and args[0].kind == CONST and item.value == args[0].value:
                del owner.value[i]
                return V.NONE
        blur(owner)
    return V.NONE


def _m_list_clear(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        owner.value.clear()
    return V.NONE


def _m_list_reorder(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        blur(owner)
    return V.NONE


def _m_list_reverse(ev, owner, args, kwargs):
    if isinstance(owner.value, list):
        owner.value.reverse()
    return V.NONE


def _m_copy(ev, owner, args, kwargs):
    if owner.kind == SEQ:
        return V.Val(SEQ, list(owner.value), owner.taint)
    if owner.kind == DICT:
        return V.Val(DICT, [list(p) for p in owner.value], owner.taint)
    return owner


def _m_dict_get(ev, owner, args, kwargs):
    found = subscript(ev, owner, args[0]) if args else V.unknown("a value")
    if found.kind == UNKNOWN and len(args) > 1:
        return V.alts([found, args[1]])
    return found


def _m_dict_items(which: str):
    def handler(ev, owner, args, kwargs):
        pairs = owner.value
        if which == "keys":
            return V.Val(SEQ, [k for k, _ in pairs])
        if which == "values":
            return V.Val(SEQ, [v for _, v in pairs])
        return V.Val(SEQ, [V.seq([k, v]) for k, v in pairs])
    return handler


def _m_dict_update(ev, owner, args, kwargs):
    other = args[0] if args else None
    if other is not None and other.kind == DICT:
        for k, v in other.value:
            set_item(owner, k, v)
    elif other is not None:
        owner.value.append([V.unknown("a key"), V.unknown("a value", V.taint_of(other))])
    for k, v in kwargs.items():
        set_item(owner, V.const(k), v)
    return V.NONE


def _m_dict_setdefault(ev, owner, args, kwargs):
    if args:
        found = subscript(ev, owner, args[0])
        if found.kind == UNKNOWN:
            set_item(owner, args[0], args[1] if len(args) > 1 else V.NONE)
            return args[1] if len(args) > 1 else V.NONE
        return found
    return V.NONE


def _m_unknown_read(ev, owner, args, kwargs):
    return V.unknown("data", V.taint_of(owner))


def _m_direntry_path(ev, owner):
    return owner.value[1]


def _m_response(ev, owner, args, kwargs):
    return V.unknown("a response body")


def _too_long():
    raise ValueError("folding would make a string too long")


# -- tables -----------------------------------------------------------------------------------------

_STR_FOLDS = {
    "replace": lambda s, old, new, *n: (s.replace(old, new, *n) if len(s) * (len(new) + 1) <= decode.LIMIT
                                        else _too_long()),
    "strip": lambda s, *a: s.strip(*a), "lstrip": lambda s, *a: s.lstrip(*a), "rstrip": lambda s, *a: s.rstrip(*a),
    "lower": lambda s: s.lower(), "upper": lambda s: s.upper(), "title": lambda s: s.title(),
    "capitalize": lambda s: s.capitalize(), "swapcase": lambda s: s.swapcase(), "casefold": lambda s: s.casefold(),
    "split": lambda s, *a: s.split(*a), "rsplit": lambda s, *a: s.rsplit(*a),
    "splitlines": lambda s, *a: s.splitlines(*a),
    "removeprefix": lambda s, p: s.removeprefix(p), "removesuffix": lambda s, p: s.removesuffix(p),
    "zfill": lambda s, n: s.zfill(min(n, 4096)), "partition": lambda s, p: s.partition(p),
    "rpartition": lambda s, p: s.rpartition(p), "expandtabs": lambda s, *a: s.expandtabs(*[min(x, 16) for x in a]),
    "center": lambda s, n, *a: s.center(min(n, 4096), *a), "ljust": lambda s, n, *a: s.ljust(min(n, 4096), *a),
    "rjust": lambda s, n, *a: s.rjust(min(n, 4096), *a), "hex": lambda s, *a: s.hex(*a),
    "translate": lambda s, table: s.translate(table),
}

METHODS: dict = {}
for _name, _fn in _STR_FOLDS.items():
    METHODS[("str", _name)] = _m_str(_fn)
    METHODS[("bytes", _name)] = _m_str(_fn)
METHODS.update({
    ("str", "join"): _m_join, ("bytes", "join"): _m_join, ("str", "format"): _m_format,
    ("str", "format_map"): _m_format_map, ("str", "encode"): _m_encode, ("bytes", "decode"): _m_decode,
    ("str", "decode"): _m_decode, ("partial", "encode"): _m_encode, ("partial", "decode"): _m_decode,
    ("partial", "strip"): _m_path_same, ("partial", "format"): lambda ev, o, a, k: V.unknown("text", V.taint_of(o, *a)),
    ("list", "append"): _m_list_append, ("list", "extend"): _m_list_extend, ("list", "insert"): _m_list_insert,
    ("list", "pop"): _m_list_pop, ("list", "remove"): _m_list_remove, ("list", "clear"): _m_list_clear,
    ("list", "sort"): _m_list_reorder, ("list", "reverse"): _m_list_reverse, ("list", "copy"): _m_copy,
    ("dict", "get"): _m_dict_get, ("dict", "items"): _m_dict_items("items"), ("dict", "keys"): _m_dict_items("keys"),
    ("dict", "values"): _m_dict_items("values"), ("dict", "update"): _m_dict_update, ("dict", "copy"): _m_copy,
    ("dict", "setdefault"): _m_dict_setdefault, ("dict", "pop"): _m_dict_get,
    ("path", "read_text"): _m_path_read, ("path", "read_bytes"): _m_path_read,
    ("path", "write_text"): _m_path_write, ("path", "write_bytes"): _m_path_write, ("path", "open"): _m_path_open,
    ("path", "unlink"): _m_path_delete(False), ("path", "rmdir"): _m_path_delete(False),
    ("path", "touch"): _m_path_touch, ("path", "mkdir"): _m_path_touch, ("path", "chmod"): _m_path_touch,
    ("path", "symlink_to"): _m_path_touch, ("path", "hardlink_to"): _m_path_touch, ("path", "lchmod"): _m_path_touch,
    ("path", "rename"): _m_path_rename, ("path", "replace"): _m_path_rename,
    ("path", "expanduser"): _m_path_same, ("path", "resolve"): _m_path_same, ("path", "absolute"): _m_path_same,
    ("path", "joinpath"): _m_path_join, ("path", "glob"): _m_path_glob(False), ("path", "rglob"): _m_path_glob(True),
    ("path", "iterdir"): _m_path_iterdir, ("path", "with_name"): _m_path_with("name"),
    ("path", "with_suffix"): _m_path_with("suffix"), ("path", "__str__"): lambda ev, o, a, k: path_val(o),
    ("path", "as_posix"): lambda ev, o, a, k: path_val(o),
    ("file", "read"): _m_file_read, ("file", "readline"): _m_file_read, ("file", "readlines"): _m_file_read,
    ("file", "write"): _m_write_data, ("file", "writelines"): _m_write_data, ("file", "fileno"): _m_fileno,
    ("socket", "connect"): _m_socket_connect, ("socket", "connect_ex"): _m_socket_connect,
    ("socket", "bind"): _m_socket_bind, ("socket", "send"): _m_socket_send, ("socket", "sendall"): _m_socket_send,
    ("socket", "sendto"): _m_socket_sendto, ("socket", "write"): _m_socket_send,
    ("socket", "recv"): _m_socket_recv, ("socket", "recvfrom"): _m_socket_recv,
    ("socket", "fileno"): _m_fileno, ("socket", "makefile"): _m_path_same, ("socket", "dup"): _m_path_same,
    ("service", "storbinary"): _m_service_send, ("service", "storlines"): _m_service_send,
    ("service", "sendmail"): _m_service_send, ("service", "send_message"): _m_service_send,
    ("service", "write"): _m_service_send, ("service", "connect"): _m_service_connect,
    ("service", "exec_command"): _m_response,
    ("httpconn", "request"): _m_conn_request, ("httpconn", "send"): _m_conn_send,
    ("httpconn", "putrequest"): lambda ev, o, a, k: _m_conn_request(ev, o, [*a[:2]], {}),
    ("httpconn", "endheaders"): lambda ev, o, a, k: _m_conn_send(ev, o, a, k) if a else V.NONE,
    ("process", "communicate"): _m_process_communicate,
    ("clib", "system"): _m_clib_system, ("clib", "popen"): _m_clib_system,
    ("stream", "write"): _m_stream_write, ("stream", "writelines"): _m_stream_write,
    ("environ", "get"): _m_environ_get, ("environ", "setdefault"): _m_environ_get,
    ("environ", "copy"): _m_environ_all, ("environ", "items"): _m_environ_all, ("environ", "keys"): _m_environ_all,
    ("environ", "values"): _m_environ_all, ("environ", "update"): _m_environ_set, ("environ", "pop"): _m_environ_get,
    ("environ", "__setitem__"): _m_environ_set,
    ("response", "read"): _m_response, ("response", "json"): _m_response,
})
for _verb, _method in HTTP_METHODS.items():
    METHODS[("http", _verb)] = _m_http(_method)
GENERIC_METHODS = {"read": _m_unknown_read, "decode": _m_decode, "encode": _m_encode}

PROPERTIES = {
    ("path", "parent"): _p_parent, ("path", "name"): _p_name, ("path", "stem"): _p_stem,
    ("path", "suffix"): _p_suffix, ("direntry", "path"): _m_direntry_path,
    ("direntry", "name"): lambda ev, o: V.Val(CONST, "*", glob=True),
    ("file", "name"): lambda ev, o: o.value[1].get("path", V.unknown("a name")),
    ("socket", "fd"): lambda ev, o: V.obj("fd", o),
    ("process", "stdin"): lambda ev, o: V.obj("stream"),
    ("response", "text"): lambda ev, o: V.unknown("a response body"),
    ("response", "content"): lambda ev, o: V.unknown("a response body"),
    ("clib", "libc"): lambda ev, o: o,
}

BUILTINS = {
    "__builtins__", "open", "exec", "eval", "compile", "__import__", "getattr", "print", "input", "str", "bytes",
    "bytearray", "chr", "ord", "repr", "list", "tuple", "set", "dict", "reversed", "sorted", "map",
    "globals", "locals", "vars", "execfile", "format", "len", "range", "zip", "enumerate", "int",
    "hex", "breakpoint", "iter", "next", "filter", "any", "all", "sum", "min", "max", "isinstance",
}

CALLS = {
    # files
    "open": _open, "io.open": _open, "codecs.open": _open, "io.FileIO": _open, "os.open": _os_open,
    "os.remove": _deleter(False), "os.unlink": _deleter(False), "os.rmdir": _deleter(False),
    "os.removedirs": _deleter(False), "shutil.rmtree": _deleter(True),
    "shutil.copy": _copier(False), "shutil.copy2": _copier(False), "shutil.copyfile": _copier(False),
    "shutil.copytree": _copier(False, True), "shutil.move": _copier(True), "os.rename": _copier(True),
    "os.replace": _copier(True), "os.renames": _copier(True), "os.symlink": _link, "os.link": _link,
    "os.mkdir": _writer(), "os.makedirs": _writer(0, "name"), "os.mkfifo": _writer(), "os.mknod": _writer(),
    "os.truncate": _writer(), "os.chmod": _writer(), "os.lchmod": _writer(), "os.chown": _writer(),
    "os.lchown": _writer(), "os.utime": _writer(), "shutil.chown": _writer(), "os.chflags": _writer(),
    "os.listdir": _listing("listdir"), "os.scandir": _listing("scandir"), "os.walk": _listing("walk"),
    "os.fwalk": _listing("walk"), "glob.glob": _listing("glob"), "glob.iglob": _listing("glob"),
    "os.chdir": _chdir, "os.getcwd": lambda ev, a, k: V.const("."), "os.getcwdb": lambda ev, a, k: V.const(b"."),
    "tempfile.mkdtemp": _tempdir, "tempfile.gettempdir": lambda ev, a, k: V.const(ev.an.env.get("TMPDIR") or "/tmp"),
    "tempfile.TemporaryDirectory": _tempdir,
    "os.path.join": _os_path_join, "os.path.expanduser": _identity_path,
    "os.path.abspath": _os_path(posixpath.normpath),
    "os.path.realpath": _os_path(posixpath.normpath), "os.path.normpath": _os_path(posixpath.normpath),
    "os.path.dirname": _os_path(posixpath.dirname), "os.path.basename": _os_path(posixpath.basename),
    "os.path.expandvars": _expandvars, "os.fspath": _identity_path, "os.fsencode": _identity_path,
    "os.fsdecode": _identity_path,
    "pathlib.Path": _path_ctor, "pathlib.Path.home": _home, "pathlib.Path.cwd": lambda ev, a, k: path(V.const(".")),
    "shutil.which": _which,
    # processes
    "subprocess.run": _subprocess, "subprocess.call": _subprocess, "subprocess.check_call": _subprocess,
    "subprocess.check_output": _subprocess, "subprocess.Popen": _subprocess,
    "os.execv": _exec_v(0, False), "os.execve": _exec_v(0, True), "os.execvp": _exec_v(0, False),
    "os.execvpe": _exec_v(0, True), "os.spawnv": _exec_v(1, False), "os.spawnve": _exec_v(1, True),
    "os.spawnvp": _exec_v(1, False), "os.spawnvpe": _exec_v(1, True), "os.posix_spawn": _exec_v(0, True),
    "os.posix_spawnp": _exec_v(0, True),
    "os.execl": _exec_l(0, False), "os.execle": _exec_l(0, True), "os.execlp": _exec_l(0, False),
    "os.execlpe": _exec_l(0, True), "os.spawnl": _exec_l(1, False), "os.spawnle": _exec_l(1, True),
    "os.spawnlp": _exec_l(1, False), "os.spawnlpe": _exec_l(1, True),
    "pty.spawn": _pty_spawn, "asyncio.create_subprocess_exec": _create_exec, "os.dup2": _dup2,
    "os.dup": lambda ev, a, k: a[0] if a else V.unknown("a file descriptor"),
    "threading.Thread": _thread, "multiprocessing.Process": _thread, "atexit.register": _register,
    "ctypes.CDLL": _clib, "ctypes.cdll.LoadLibrary": _clib, "ctypes.PyDLL": _clib, "ctypes.CDLL.LoadLibrary": _clib,
    "ctypes.util.find_library": lambda ev, a, k: V.const("libc.so.6"),
    # code
    "exec": _exec, "eval": _exec, "compile": _compile, "__import__": _import, "importlib.import_module": _import,
    "importlib.__import__": _import, "getattr": _getattr, "pickle.loads": _unpickle, "marshal.loads": _unpickle,
    "dill.loads": _unpickle, "globals": _namespace, "locals": _namespace, "vars": _namespace,
    "runpy.run_path": _runpy, "runpy.run_module": _runpy, "execfile": _runpy,
    # the environment and output
    "os.getenv": _getenv, "os.getenvb": _getenv, "print": _print, "json.dumps": _json_dumps,
    "json.dump": _json_dump, "pprint.pprint": _print, "pprint.pp": _print, "logging.info": _print,
    "logging.warning": _print, "logging.error": _print, "logging.debug": _print,
    # folding
    "base64.b64decode": _decoder(_b64), "base64.standard_b64decode": _decoder(_b64),
    "base64.urlsafe_b64decode": _decoder(lambda r, a, k: decode.base64(r, urlsafe=True)),
    "base64.decodebytes": _decoder(_b64), "base64.decodestring": _decoder(_b64),
    "base64.b32decode": _decoder(lambda r, a, k: decode.base32(r)),
    "base64.b16decode": _decoder(lambda r, a, k: decode.hexa(r)),
    "base64.b85decode": _decoder(lambda r, a, k: decode.base85(r)),
    "base64.a85decode": _decoder(lambda r, a, k: decode.base85(r, ascii85=True)),
    "base64.b64encode": _decoder(_b64encode), "binascii.a2b_base64": _decoder(_b64),
    "binascii.unhexlify": _decoder(lambda r, a, k: decode.hexa(r)),
    "binascii.a2b_hex": _decoder(lambda r, a, k: decode.hexa(r)),
    "bytes.fromhex": _decoder(_fromhex), "bytearray.fromhex": _decoder(_fromhex),
    "codecs.decode": _codecs_decode, "codecs.encode": _codecs_decode,
    "zlib.decompress": _decoder(lambda r, a, k: decode.inflate(r, _wbits(a, k))),
    "gzip.decompress": _decoder(lambda r, a, k: decode.inflate(r, 31)),
    "bz2.decompress": _decoder(lambda r, a, k: decode.bz2(r)),
    "lzma.decompress": _decoder(lambda r, a, k: decode.lzma(r)),
    "chr": _chr, "str": _str_ctor, "bytes": _bytes_ctor, "bytearray": _bytes_ctor,
    "repr": lambda ev, a, k: builtin_repr(a[0]) if a else V.const(""),
    "list": _seq_ctor, "tuple": _seq_ctor, "sorted": _seq_ctor, "reversed": _reversed, "map": _map,
    "dict": _dict_ctor, "shlex.split": _shlex_split, "shlex.join": _shlex_join, "shlex.quote": _shlex_quote,
    "pipes.quote": _shlex_quote, "subprocess.list2cmdline": _shlex_join,
    # network
    "urllib.request.urlopen": _urlopen, "urllib.urlopen": _urlopen, "urllib.request.Request": _request_obj,
    "urllib.request.urlretrieve": _urlretrieve, "urllib.urlretrieve": _urlretrieve,
    "http.client.HTTPConnection": _connection("http"), "http.client.HTTPSConnection": _connection("https"),
    "httplib.HTTPConnection": _connection("http"), "httplib.HTTPSConnection": _connection("https"),
    "requests.Session": _http_client, "requests.session": _http_client, "httpx.Client": _http_client,
    "httpx.AsyncClient": _http_client, "aiohttp.ClientSession": _http_client, "urllib3.PoolManager": _http_client,
    "urllib3.request": _http_fn(None),
    "socket.socket": _socket, "socket.create_connection": _create_connection,
    "asyncio.open_connection": _open_connection, "socket.gethostbyname": _gethostbyname,
    "socket.getaddrinfo": _gethostbyname, "socket.gethostbyname_ex": _gethostbyname, "ssl.wrap_socket": _ssl_wrap,
    "ssl.SSLContext.wrap_socket": _ssl_wrap,
    "ftplib.FTP": _service("ftp"), "ftplib.FTP_TLS": _service("ftp"), "smtplib.SMTP": _service("smtp"),
    "smtplib.SMTP_SSL": _service("smtp"), "telnetlib.Telnet": _service("telnet"), "poplib.POP3": _service("pop3"),
    "imaplib.IMAP4": _service("imap"), "imaplib.IMAP4_SSL": _service("imap"),
    "paramiko.SSHClient": lambda ev, a, k: V.obj("service", {"scheme": "ssh"}),
}
for _lib in ("requests", "httpx"):
    for _verb, _method in HTTP_METHODS.items():
        if _verb not in ("urlopen", "fetch", "send"):
            CALLS[f"{_lib}.{_verb}"] = _http_fn(_method)

MODULES = {name.split(".")[0] for name in [*CALLS, *SHELL_CALLS]} - BUILTINS
