"""What JavaScript's platform calls do, for the evaluator: node's ``child_process``, ``fs``,
``path``, ``os``, ``http(s)``, ``net``, ``vm``; ``fetch``, axios, got, undici, execa, zx, shelljs;
``process.env``, ``eval``/``Function``; ``Buffer``/``atob`` decoding; and the ``Deno``/``Bun``
spellings of the same things.

Names are qualified by module: ``child_process.execSync``, ``fs.promises.rm``, ``Deno.remove``.
``call``, ``member`` and ``binary`` are the evaluator's entry points.
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser.context import Cmd, Word
from vectimus.analyser.languages import decode
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import (
    element, env_var, fold_str, join, json_text, number, path_val, stringish, text, to_text, word_vals,
)
from vectimus.analyser.languages.values import CONST, DICT, ENV, OBJ, REF, SECRET, SEQ, UNKNOWN, UNKNOWN_MARK, Val

# Module specifiers with another name for the same functions.
MODULES = {"fs/promises": "fs.promises", "fs-extra": "fs", "graceful-fs": "fs", "node-fetch": "fetch",
           "cross-fetch": "fetch", "isomorphic-fetch": "fetch", "child-process-promise": "child_process",
           "path/posix": "path", "timers/promises": "timers", "bun": "Bun", "zx/globals": "zx",
           "rimraf": "rimraf", "del": "rimraf", "execa": "execa", "shelljs": "shelljs"}
GLOBALS = {"require", "process", "console", "Buffer", "fetch", "eval", "Function", "Deno", "Bun", "atob",
           "btoa", "JSON", "Object", "String", "decodeURIComponent", "unescape", "decodeURI", "module",
           "WebSocket", "globalThis", "global", "window", "self", "setTimeout", "setInterval",
           "setImmediate", "queueMicrotask", "Promise", "Reflect"}
GLOBAL_OBJECTS = ("globalThis.", "global.", "window.", "self.")
RUNTIMES = {"node", "deno", "bun"}


def module_name(name: str | None) -> str | None:
    """``node:fs`` -> ``fs``, ``fs/promises`` -> ``fs.promises``."""
    if name is None:
        return None
    if name.startswith("node:"):
        name = name[5:]
    if name.startswith("npm:") or name.startswith("jsr:"):
        name = name[4:].rsplit("@", 1)[0] if name.count("@") > (1 if name[4:].startswith("@") else 0) else name[4:]
    return MODULES.get(name, name)


def canonical(qual: str) -> str:
    """A qualified name with the global object and aliases taken off."""
    for prefix in GLOBAL_OBJECTS:
        while qual.startswith(prefix):
            qual = qual[len(prefix):]
    for alias in ("process.mainModule.require", "module.require", "require.main.require"):
        if qual == alias:
            return "require"
    if qual.startswith("fs.promises.default."):
        qual = "fs.promises." + qual[len("fs.promises.default."):]
    if qual.startswith("fs.default."):
        qual = "fs." + qual[len("fs.default."):]
    return qual


def default_export(module: str | None) -> Val:
    if module is None:
        return V.unknown("a module")
    return V.ref(module)


def inline(cmd: Cmd, code: Word) -> bool:
    """True when the code is given on the command line (``node -e``), not read from a script."""
    return any(w is code or (w.text == code.text and not w.dynamic) for w in cmd.words[1:])


def script_argv(cmd: Cmd, code: Word) -> Val:
    """``process.argv``: the runtime, the script, then the words after the code or script."""
    words = list(cmd.words[1:])
    for i, w in enumerate(words):
        if w is code or (w.text == code.text and not w.dynamic):
            return V.seq([V.const("node"), *word_vals(words[i + 1:])])
    for i, w in enumerate(words):
        if w.text.endswith((".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx")) and not w.text.startswith("-"):
            return V.seq([V.const("node"), *word_vals(words[i:])])
    return V.unknown("process.argv", item=V.unknown("an argument"))


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


# -- members and operators ---------------------------------------------------------------------------

REF_MEMBERS = {
    "process.env": lambda ev: V.obj("environ", None, ENV), "Deno.env": lambda ev: V.obj("environ", None, ENV),
    "Bun.env": lambda ev: V.obj("environ", None, ENV), "process.argv": lambda ev: ev.argv,
    "Deno.args": lambda ev: V.Val(SEQ, list(ev.argv.value[2:])) if ev.argv.kind == SEQ else V.unknown("args"),
    "Bun.argv": lambda ev: ev.argv, "process.platform": lambda ev: V.const("linux"),
    "process.execPath": lambda ev: V.const(ev.fx.prog), "process.stdout": lambda ev: V.obj("stream"),
    "process.stderr": lambda ev: V.obj("stream"), "Deno.stdout": lambda ev: V.obj("stream"),
    "os.EOL": lambda ev: V.const("\n"), "path.sep": lambda ev: V.const("/"),
}


def member(ev, owner: Val, name: str) -> Val:
    """``owner.name`` for platform values (a module's function, an object's method or property)."""
    if owner.kind == REF:
        if name in ("then", "catch", "finally"):  # import('x').then(m => …): a promise of the module
            return V.obj("method", (owner, name))
        qual = canonical(f"{owner.value}.{name}")
        special = REF_MEMBERS.get(qual)
        if special is not None:
            return special(ev)
        return V.ref(qual)
    if owner.kind == OBJ:
        kind, data = owner.value
        if kind == "environ" and name not in ("get", "toObject", "has"):
            return env_var(ev.an, V.const(name))
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
    return V.obj("method", (owner, name), V.taint_of(owner))


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
                return V.unknown("a sum", taint)
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
    return V.unknown("an operation", taint)


def shell_quoted(value: Val) -> Val:
    """An interpolation in a shell template (Bun's ``$``, zx): one quoted word."""
    import shlex

    t = text(to_text(value))
    if t is not None and value.kind == CONST:
        return V.const(shlex.quote(t), value.taint)
    if value.kind == SEQ:
        return V.concat([shell_quoted(v) if i == 0 else V.concat([V.const(" "), shell_quoted(v)])
                         for i, v in enumerate(value.value)])
    return V.partial("'" + UNKNOWN_MARK + "'", V.taint_of(value))


# -- calls ----------------------------------------------------------------------------------------

def call(ev, func: Val, args: list[Val]) -> Val:
    """What calling the platform value ``func`` does and returns."""
    taint = V.taint_of(*args)
    result: Val | None = None
    handled_callbacks = False
    if func.kind == REF:
        handler = CALLS.get(func.value)
        if handler is None:
            handler = _by_suffix(func.value)
        if handler is not None:
            result = handler(ev, args)
            handled_callbacks = func.value in CALLBACKS
    elif func.kind == OBJ:
        kind, data = func.value
        if kind == "method":
            owner, name = data
            method = METHODS.get((V.type_name(owner), name)) or GENERIC_METHODS.get(name)
            if method is not None:
                result = method(ev, owner, args)
                handled_callbacks = name in ("then", "catch", "finally", "forEach", "map", "filter", "connect",
                                             "on", "once")
            else:
                result = V.unknown(f".{name}()", taint | V.taint_of(owner))
        elif kind == "anyattr":
            if data in DANGEROUS_NAMES:
                ev.fx.dynamic("node dynamic import")
            result = V.unknown("a call", taint)
    if result is None:
        result = V.unknown("a call", taint | V.taint_of(func))
    if not handled_callbacks:
        for a in args:  # a library runs the callbacks it is given, with what it has
            if a.kind == OBJ and a.value[0] in ("func", "bound"):
                ev.callback(a, [V.unknown("a callback argument", taint)])
    return result


def _by_suffix(qual: str):
    """Functions reached through another object of the same module (``fs.promises.default.rm``,
    ``require('fs').promises.rm``) or a runtime namespace."""
    last = qual.rpartition(".")[2]
    if qual.startswith("fs.") and f"fs.{last}" in CALLS:
        return CALLS[f"fs.{last}"]
    return None


def opt(options: Val | None, key: str) -> Val | None:
    """A property of an options object literal."""
    if options is None or options.kind != DICT:
        return None
    for k, v in reversed(options.value):
        if k.is_str and k.value == key:
            return v
    return None


def truthy(v: Val | None) -> bool | None:
    if v is None:
        return False
    if v.kind == CONST:
        return bool(v.value)
    return None


def _args(args: list[Val], i: int) -> Val | None:
    return args[i] if i < len(args) else None


def _options_after(args: list[Val], i: int) -> Val | None:
    """The first object literal argument from index ``i`` on (options come after optional ones)."""
    for a in args[i:]:
        if a.kind == DICT:
            return a
    return None


def _socket_of(v: Val | None) -> Val | None:
    if v is None:
        return None
    if v.kind == OBJ and v.value[0] == "socket":
        return v
    if v.kind == SEQ:
        for item in v.value:
            found = _socket_of(item)
            if found is not None:
                return found
    return None


# processes --------------------------------------------------------------------------------------

def _process(program: Val | None) -> Val:
    name = text(program) if program is not None else None
    return V.obj("process", {"program": posixpath.basename(name) if name else "?"})


def _exec(ev, args):
    """exec / execSync / execaCommand: a shell command line."""
    command = _args(args, 0)
    if command is None:
        return V.unknown("a process")
    options = _options_after(args, 1)
    ev.fx.shell(command, "node subprocess", ev.fx.in_dir(opt(options, "cwd")))
    if "input" in _keys(options):
        ev.fx.output(opt(options, "input"))
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, V.unknown("the command's output"), V.unknown("its errors")])
    return _process(V.const("sh"))


def _keys(options: Val | None) -> set[str]:
    return {k.value for k, _ in options.value if k.is_str} if options is not None and options.kind == DICT else set()


def _spawn(ev, args):
    """spawn / spawnSync / execFile / execFileSync / execa: a program and its arguments."""
    program = _args(args, 0)
    if program is None:
        return V.unknown("a process")
    rest = _args(args, 1)
    options = _options_after(args, 1)
    items = list(rest.value) if rest is not None and rest.kind == SEQ else []
    if rest is not None and rest.kind == UNKNOWN:
        items = [V.unknown("arguments", rest.taint)]
    cmd = ev.fx.in_dir(opt(options, "cwd"))
    wired = _socket_of(opt(options, "stdio"))
    if truthy(opt(options, "shell")) is not False:
        line = V.concat([program] + [part for item in items for part in (V.const(" "), to_text(item))])
        ev.fx.shell(line, "node subprocess", cmd)
    else:
        ev.fx.argv([program, *items], "node subprocess", cmd, wired)
    if "input" in _keys(options):
        ev.fx.output(opt(options, "input"))
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, V.unknown("the program's output")])
    return _process(program)


def _fork(ev, args):
    module = _args(args, 0)
    if module is not None:
        rest = _args(args, 1)
        items = list(rest.value) if rest is not None and rest.kind == SEQ else []
        ev.fx.argv([V.const("node"), module, *items], "node subprocess")
    return _process(V.const("node"))


def _tagged_shell(ev, args):
    """Bun's ``$`…```, zx's ``$`…```, execa's ``$`…```: shell text with quoted interpolations."""
    template = _args(args, 0)
    if template is not None and template.kind == OBJ and template.value[0] == "template":
        ev.fx.shell(template.value[1], "node subprocess")
    elif template is not None and template.kind != DICT:
        ev.fx.shell(template, "node subprocess")
    return _process(V.const("sh"))


def _shelljs_exec(ev, args):
    return _exec(ev, args)


def _shelljs_program(program: str):
    def handler(ev, args):
        ev.fx.argv([V.const(program), *args], "node subprocess")
        return V.unknown("a result")
    return handler


def _deno_run(ev, args):
    options = _args(args, 0)
    command = opt(options, "cmd")
    if command is not None and command.kind == SEQ:
        ev.fx.argv(list(command.value), "deno run", ev.fx.in_dir(opt(options, "cwd")))
    elif command is not None:
        ev.fx.dynamic("deno run")
    return _process(command.value[0] if command is not None and command.kind == SEQ and command.value else None)


def _deno_command(ev, args):
    program = _args(args, 0)
    options = _args(args, 1)
    rest = opt(options, "args")
    items = list(rest.value) if rest is not None and rest.kind == SEQ else (
        [V.unknown("arguments", rest.taint)] if rest is not None else [])
    if program is not None:
        ev.fx.argv([program, *items], "deno command", ev.fx.in_dir(opt(options, "cwd")))
    return V.obj("command", None)


def _bun_spawn(ev, args):
    first = _args(args, 0)
    options = _options_after(args, 1) if first is not None and first.kind == SEQ else first
    command = first if first is not None and first.kind == SEQ else opt(first, "cmd")
    if command is not None and command.kind == SEQ:
        ev.fx.argv(list(command.value), "bun spawn", ev.fx.in_dir(opt(options, "cwd")),
                   _socket_of(opt(options, "stdio")))
    elif command is not None:
        ev.fx.dynamic("bun spawn")
    return _process(command.value[0] if command is not None and command.kind == SEQ and command.value else None)


# files ------------------------------------------------------------------------------------------

def _delete(ev, args, recursive: bool | None = None):
    target = _args(args, 0)
    if target is None:
        return V.NONE
    if recursive is None:
        recursive = bool(truthy(opt(_options_after(args, 1), "recursive")) is not False
                         and opt(_options_after(args, 1), "recursive") is not None)
    ev.fx.file("file_delete", target, ("r",) if recursive else ())
    return V.NONE


def _deleter(recursive: bool | None):
    return lambda ev, args: _delete(ev, args, recursive)


def _write(ev, args):
    target = _args(args, 0)
    if target is not None:
        ev.fx.file("file_write", target)
    data = _args(args, 1)
    if data is not None:
        ev.fx.output(data)
    return V.obj("stream")


def _write_only(ev, args):
    target = _args(args, 0)
    if target is not None:
        ev.fx.file("file_write", target)
    return V.NONE


def _symlink(ev, args):
    target = _args(args, 1)
    if target is not None:
        ev.fx.file("file_write", target)
    return V.NONE


def _read(ev, args):
    target = _args(args, 0)
    if target is None:
        return V.unknown("file contents")
    secret = ev.fx.file("file_read", target)
    data = V.unknown("file contents", SECRET if secret else 0)
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, data])
    return data


def _copy(moves: bool, recursive_opt: bool = False):
    def handler(ev, args):
        src, dst = _args(args, 0), _args(args, 1)
        recursive = recursive_opt and truthy(opt(_options_after(args, 2), "recursive")) is not False and \
            opt(_options_after(args, 2), "recursive") is not None
        if src is not None:
            if moves:
                ev.fx.file("file_delete", src)
            else:
                ev.fx.file("file_read", src)
        if dst is not None:
            ev.fx.file("file_write", dst, ("r",) if recursive else ())
        return V.NONE
    return handler


def _readdir(ev, args):
    target = _args(args, 0) or V.const(".")
    return V.Val(UNKNOWN, "names", 0, False, V.Val(CONST, "*", glob=True)) if target is not None else V.NONE


def _chdir(ev, args):
    target = _args(args, 0)
    if target is not None:
        ev.fx.chdir(target)
    return V.NONE


def _bun_file(ev, args):
    target = _args(args, 0)
    return V.obj("bunfile", target if target is not None else V.unknown("a path"))


def _bun_write(ev, args):
    target = _args(args, 0)
    if target is not None:
        if target.kind == OBJ and target.value[0] == "bunfile":
            target = target.value[1]
        ev.fx.file("file_write", target)
    data = _args(args, 1)
    if data is not None:
        ev.fx.output(data)
    return V.unknown("a count")


# paths ------------------------------------------------------------------------------------------

def _path_join(ev, args):
    return join(list(args)) if args else V.const(".")


def _path_fn(fn):
    return lambda ev, args: fold_str(fn, path_val(args[0])) if args else V.unknown("a path")


def _home(ev, args):
    return V.const(ev.an.env.get("HOME") or ev.an.places.home)


def _tmp(ev, args):
    return V.const(ev.an.env.get("TMPDIR") or "/tmp")


# network ----------------------------------------------------------------------------------------

def _fetch(ev, args):
    target = _args(args, 0)
    options = _args(args, 1)
    if target is None:
        return V.obj("response", None)
    if target.kind == OBJ and target.value[0] == "request":
        options = options or target.value[1].get("options")
        target = target.value[1]["url"]
    body = tuple(x for x in (opt(options, "body"), opt(options, "data")) if x is not None)
    headers = tuple(x for x in (opt(options, "headers"),) if x is not None)
    ev.fx.network(target, data=body, headers=headers, scheme="http")
    return V.obj("response", None)


def _request_obj(ev, args):
    return V.obj("request", {"url": _args(args, 0) or V.unknown("a URL"), "options": _args(args, 1)})


def _http_request(scheme: str):
    def handler(ev, args):
        first = _args(args, 0)
        options = first if first is not None and first.kind == DICT else _options_after(args, 1)
        if first is not None and first.kind != DICT:
            target = first
        else:
            host = opt(options, "hostname") or opt(options, "host") or V.const("localhost")
            port = opt(options, "port")
            target = V.concat([V.const(f"{scheme}://"), host, V.const(":") if port is not None else V.const(""),
                               to_text(port) if port is not None else V.const(""),
                               opt(options, "path") or V.const("")])
        state = {"target": target, "scheme": scheme}
        ev.fx.network(target, headers=tuple(x for x in (opt(options, "headers"),) if x is not None), scheme=scheme)
        return V.obj("request", state)
    return handler


def _axios(method: str | None):
    """axios(config) / axios(url, config) / axios.get(url, config) / axios.post(url, data, config)."""
    def handler(ev, args, base: Val | None = None):
        first = _args(args, 0)
        if first is None:
            return V.obj("response", None)
        if first.kind == DICT:
            config = first
            target = opt(config, "url") or V.unknown("a URL")
            body = opt(config, "data")
        else:
            target = first
            if method in ("post", "put", "patch"):
                body, config = _args(args, 1), _args(args, 2)
            else:
                config = _args(args, 1)
                body = opt(config, "data")
        base = base or opt(config, "baseURL")
        if base is not None and not (text(target) or "").startswith(("http://", "https://")):
            target = V.concat([base, target])
        headers = tuple(x for x in (opt(config, "headers"), opt(config, "auth")) if x is not None)
        ev.fx.network(target, data=(body,) if body is not None else (), headers=headers, scheme="http")
        return V.obj("response", None)
    return handler


def _got(method: str | None):
    def handler(ev, args):
        target = _args(args, 0)
        options = _options_after(args, 1)
        if target is not None and target.kind == DICT:
            options, target = target, opt(target, "url")
        if target is None:
            return V.obj("response", None)
        body = tuple(x for x in (opt(options, "body"), opt(options, "json"), opt(options, "form"),
                                 opt(options, "data")) if x is not None)
        headers = tuple(x for x in (opt(options, "headers"),) if x is not None)
        ev.fx.network(target, data=body, headers=headers, scheme="http")
        return V.obj("response", None)
    return handler


def _axios_create(ev, args):
    return V.obj("httpclient", {"base": opt(_args(args, 0), "baseURL")})


def _socket_connect(ev, sock: Val, args: list[Val]) -> None:
    first = _args(args, 0)
    if first is not None and first.kind == DICT:
        host = opt(first, "host") or opt(first, "hostname") or V.const("localhost")
        port = opt(first, "port")
        path = opt(first, "path")
        if path is not None and opt(first, "host") is None:
            return  # a unix socket
    else:
        port, host = first, _args(args, 1) or V.const("localhost")
    port_number = port.value if port is not None and number(port) and isinstance(port.value, int) else 0
    sock.value[1]["host"], sock.value[1]["port"] = host, port_number
    ev.fx.network(host, scheme="tcp", port=port_number)
    for a in args:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [])


def _net_connect(ev, args):
    sock = V.obj("socket", {})
    _socket_connect(ev, sock, args)
    return sock


def _deno_connect(ev, args):
    sock = V.obj("socket", {})
    options = _args(args, 0)
    host = opt(options, "hostname") or V.const("127.0.0.1")
    port = opt(options, "port")
    port_number = port.value if port is not None and number(port) and isinstance(port.value, int) else 0
    sock.value[1]["host"], sock.value[1]["port"] = host, port_number
    ev.fx.network(host, scheme="tcp", port=port_number)
    return sock


def _websocket(ev, args):
    target = _args(args, 0)
    if target is not None:
        ev.fx.network(target)
    return V.obj("socket", {"host": target, "port": 0})


def _dns(ev, args):
    host = _args(args, 0)
    if host is not None:
        ev.fx.network(host, data=(host,) if V.taint_of(host) else (), scheme="dns")
    return V.unknown("an address")


# code -------------------------------------------------------------------------------------------

def _eval(ev, args):
    source = _args(args, 0)
    if source is None:
        return V.NONE
    return ev.run_source(source, "node eval")


def _function(ev, args):
    """new Function(arg1, …, body) / Function(body): a function whose body is the code given."""
    if not args:
        return V.unknown("a function")
    params = [text(to_text(a)) for a in args[:-1]]
    if any(p is None for p in params):
        ev.fx.dynamic("node eval")
        return V.unknown("a function")
    source = V.concat([V.const(f"(function({', '.join(params)}) {{\n"), args[-1], V.const("\n})")])
    return ev.run_source(source, "node eval")


def _vm(ev, args):
    source = _args(args, 0)
    if source is not None:
        ev.run_source(source, "node vm")
    return V.obj("script", None)


def _require(ev, args):
    name = _args(args, 0)
    module = text(name) if name is not None else None
    if module is None:
        return V.obj("anymodule", None)
    return V.ref(module_name(module))


# the environment, output, decoding -----------------------------------------------------------------

def _output(ev, args):
    ev.fx.output(*args)
    return V.NONE


def _stringify(ev, args):
    return json_text(_args(args, 0) or V.NONE, separators=(",", ":"))


def _tainted_copy(ev, args):
    return V.unknown("a copy", V.taint_of(*args), item=V.unknown("an entry", V.taint_of(*args)))


def _buffer_from(ev, args):
    data = _args(args, 0)
    encoding = text(_args(args, 1) or V.const("utf8")) or "utf8"
    if data is None:
        return V.const(b"")
    if data.kind == CONST and isinstance(data.value, str):
        out = _decode(data.value, encoding)
        return V.const(out, data.taint) if out is not None else V.unknown("bytes", data.taint)
    if data.kind == CONST and isinstance(data.value, (bytes, bytearray)):
        return data
    if data.kind == SEQ and all(number(x) and isinstance(x.value, int) and 0 <= x.value < 256 for x in data.value) \
            and len(data.value) <= decode.LIMIT:
        return V.const(bytes(x.value for x in data.value))
    return V.unknown("bytes", V.taint_of(data))


def _decode(value: str, encoding: str) -> bytes | None:
    encoding = encoding.lower().replace("-", "")
    if encoding in ("base64", "base64url"):
        return decode.base64(value, urlsafe=encoding == "base64url" or "-" in value or "_" in value)
    if encoding == "hex":
        return decode.hexa(value)
    if encoding in ("latin1", "binary", "ascii"):
        return value.encode("latin-1", "replace")
    if encoding in ("utf8", "utf16le", "ucs2"):
        return value.encode("utf-8" if encoding == "utf8" else "utf-16-le", "surrogatepass")
    return None


def _atob(ev, args):
    data = _args(args, 0)
    if data is not None and data.is_str:
        out = decode.base64(data.value)
        if out is not None:
            return V.const(out.decode("latin-1"), data.taint)
    return V.unknown("decoded text", V.taint_of(*args))


def _btoa(ev, args):
    import base64

    data = _args(args, 0)
    if data is not None and data.is_str and len(data.value) <= decode.LIMIT // 2:
        try:
            return V.const(base64.b64encode(data.value.encode("latin-1")).decode(), data.taint)
        except UnicodeEncodeError:
            pass
    return V.unknown("base64", V.taint_of(*args))


def _unquote(ev, args):
    from urllib.parse import unquote

    data = _args(args, 0)
    if data is not None and data.is_str:
        value = re.sub(r"%u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), data.value)
        return V.const(unquote(value), data.taint)
    return V.unknown("decoded text", V.taint_of(*args))


def _from_char_code(ev, args):
    if args and all(number(a) and isinstance(a.value, int) and 0 <= a.value < 0x110000 for a in args):
        return V.const("".join(chr(a.value) for a in args))
    return V.unknown("text", V.taint_of(*args))


def _inflate(wbits: int):
    def handler(ev, args):
        data = _args(args, 0)
        if data is not None and data.kind == CONST and isinstance(data.value, (bytes, bytearray)):
            out = decode.inflate(data.value, wbits)
            if out is not None:
                return V.const(out, data.taint)
        return V.unknown("decompressed data", V.taint_of(*args))
    return handler


def _string_ctor(ev, args):
    return to_text(args[0]) if args else V.const("")


def _identity(ev, args):
    return args[0] if args else V.NONE


def _reflect_apply(ev, args):
    if not args:
        return V.NONE
    call_args = args[2] if len(args) > 2 else None
    return ev.call(args[0], list(call_args.value) if call_args is not None and call_args.kind == SEQ else [])


def _promise(ev, args):
    return args[0] if args else V.NONE


# -- methods --------------------------------------------------------------------------------------

def _m_then(ev, owner, args):
    value = owner
    for a in args[:1]:
        value = ev.callback(a, [owner])
    for a in args[1:2]:
        ev.callback(a, [V.unknown("an error")])
    return value


def _m_catch(ev, owner, args):
    for a in args:
        ev.callback(a, [V.unknown("an error")])
    return owner


def _m_foreach(ev, owner, args):
    if args:
        ev.callback(args[0], [element(owner), V.unknown("an index")])
    return V.NONE


def _m_map(ev, owner, args):
    if not args:
        return owner
    if owner.kind == SEQ and len(owner.value) <= 256:
        return V.Val(SEQ, [ev.callback(args[0], [item, V.const(i)]) for i, item in enumerate(owner.value)])
    result = ev.callback(args[0], [element(owner), V.unknown("an index")])
    return V.unknown("items", V.taint_of(owner, result), item=result)


def _m_filter(ev, owner, args):
    if args:
        ev.callback(args[0], [element(owner)])
    if owner.kind == SEQ:
        return V.unknown("items", V.taint_of(owner), item=V.alts(list(owner.value)) if owner.value else None)
    return owner


def _m_join(ev, owner, args):
    sep = _args(args, 0) or V.const(",")
    if owner.kind == SEQ and len(owner.value) <= 4096:
        parts: list[Val] = []
        for i, item in enumerate(owner.value):
            if i:
                parts.append(sep)
            parts.append(to_text(item))
        return V.concat(parts)
    return V.unknown("joined text", V.taint_of(owner, sep))


def _m_list(fn):
    def handler(ev, owner, args):
        if owner.kind == SEQ:
            return fn(owner, args)
        return V.unknown("items", V.taint_of(owner, *args))
    return handler


def _push(owner, args):
    if isinstance(owner.value, list):
        owner.value.extend(args)
    return V.const(len(owner.value))


def _unshift(owner, args):
    if isinstance(owner.value, list):
        owner.value[:0] = args
    return V.const(len(owner.value))


def _pop(index: int):
    def fn(owner, args):
        if isinstance(owner.value, list) and owner.value:
            return owner.value.pop(index)
        return V.unknown("an item")
    return fn


def _reverse(owner, args):
    if isinstance(owner.value, list):
        owner.value.reverse()
    return owner


def _concat_list(owner, args):
    items = list(owner.value)
    for a in args:
        items.extend(a.value if a.kind == SEQ else [a])
    return V.Val(SEQ, items)


def _slice_list(owner, args):
    bounds = [a.value if number(a) and isinstance(a.value, int) else None for a in args[:2]] or [0]
    if any(b is None for b in bounds):
        return V.unknown("items", V.taint_of(owner), item=V.alts(list(owner.value)) if owner.value else None)
    return V.Val(SEQ, list(owner.value[slice(*bounds)]))


def _m_str(fn):
    """A string method that folds when its arguments are known."""
    def handler(ev, owner, args):
        if owner.kind == CONST and isinstance(owner.value, str) and all(a.kind == CONST for a in args):
            try:
                result = fn(owner.value, *[a.value for a in args])
            except Exception:  # the method would throw: the value is unknown
                return V.unknown("text", owner.taint)
            if isinstance(result, list):
                return V.Val(SEQ, [V.const(r, owner.taint) for r in result])
            if isinstance(result, str) and len(result) > decode.LIMIT:
                return V.unknown("a long string", owner.taint)
            return V.const(result, owner.taint)
        if owner.kind == OBJ and owner.value[0] == "partial" and fn in (_trim,):
            return owner
        return V.unknown("text", V.taint_of(owner, *args))
    return handler


def _trim(s: str) -> str:
    return s.strip()


def _split(s: str, sep=None, limit=None) -> list[str]:
    if sep is None:
        return [s]
    parts = list(s) if sep == "" else s.split(sep)
    return parts[:int(limit)] if isinstance(limit, (int, float)) else parts


def _replace(all_: bool):
    def fn(s: str, old, new):
        if not isinstance(old, str) or not isinstance(new, str):
            raise TypeError("a pattern")
        if len(s) * (len(new) + 1) > decode.LIMIT:
            raise ValueError("too long")
        return s.replace(old, new) if all_ else s.replace(old, new, 1)
    return fn


def _repeat(s: str, n) -> str:
    if not isinstance(n, int) or len(s) * n > decode.LIMIT:
        raise ValueError("too long")
    return s * n


def _slice_str(s: str, start=0, end=None) -> str:
    return s[int(start):None if end is None else int(end)]  # a float or non-number raises: unknown


def _substr(s: str, start=0, length=None) -> str:
    start = int(start)
    return s[start:None if length is None else start + int(length)]


def _char_at(s: str, i=0) -> str:
    return s[int(i)] if 0 <= int(i) < len(s) else ""


def _m_to_string(ev, owner, args):
    encoding = text(_args(args, 0) or V.const("utf8")) or "utf8"
    if owner.kind == CONST and isinstance(owner.value, (bytes, bytearray)):
        raw = bytes(owner.value)
        encoding = encoding.lower().replace("-", "")
        if encoding == "base64":
            import base64

            return V.const(base64.b64encode(raw).decode(), owner.taint)
        if encoding == "hex":
            return V.const(raw.hex(), owner.taint)
        return V.const(raw.decode("latin-1" if encoding in ("latin1", "binary") else "utf-8", "replace"), owner.taint)
    return to_text(owner) if owner.kind in (CONST, V.ALTS) or (owner.kind == OBJ and owner.value[0] == "partial") \
        else V.unknown("text", V.taint_of(owner))


def _m_read(ev, owner, args):
    return V.unknown("data", V.taint_of(owner))


def _m_environ_get(ev, owner, args):
    return env_var(ev.an, _args(args, 0) or V.unknown("?"))


def _m_environ_all(ev, owner, args):
    return V.unknown("the environment", ENV, item=V.unknown("a variable", ENV))


def _m_socket_connect(ev, owner, args):
    _socket_connect(ev, owner, args)
    return owner


def _m_socket_write(ev, owner, args):
    data = _args(args, 0)
    state = owner.value[1]
    if data is not None and V.taint_of(data) and state.get("host") is not None:
        ev.fx.network(state["host"], scheme="tcp", port=state.get("port", 0), data=(data,))
    return V.const(True)


def _m_pipe(ev, owner, args):
    """``socket.pipe(shell.stdin)`` / ``shell.stdout.pipe(socket)``: a program's streams on a socket."""
    target = _args(args, 0)
    pair = (owner, target)
    sock = next((v for v in pair if v is not None and v.kind == OBJ and v.value[0] == "socket"), None)
    stream = next((v for v in pair if v is not None and v.kind == OBJ and v.value[0] == "pstream"), None)
    if sock is not None and stream is not None:
        proc = stream.value[1]
        ev.fx.wiring(proc.value[1].get("program", "?"), wired=sock)
    return target if target is not None else V.NONE


def _m_request_write(ev, owner, args):
    data = _args(args, 0)
    state = owner.value[1]
    if data is not None and not (data.kind == OBJ and data.value[0] in ("func", "bound")):
        ev.fx.network(state["target"], data=(data,), scheme=state.get("scheme", "http"))
    for a in args:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [])
    return owner


def _m_on(ev, owner, args):
    for a in args[1:]:
        ev.callback(a, [V.unknown("an event", V.taint_of(owner))])
    return owner


def _m_http_client(method: str | None):
    def handler(ev, owner, args):
        base = owner.value[1].get("base") if owner.value[1] else None
        return _axios(method)(ev, args, base=base)
    return handler


def _m_bunfile_read(ev, owner, args):
    secret = ev.fx.file("file_read", owner.value[1])
    return V.unknown("file contents", SECRET if secret else 0)


def _m_bunfile_write(ev, owner, args):
    ev.fx.file("file_write", owner.value[1])
    if args:
        ev.fx.output(args[0])
    return V.NONE


def _m_bunfile_delete(ev, owner, args):
    ev.fx.file("file_delete", owner.value[1])
    return V.NONE


def _m_stream_write(ev, owner, args):
    ev.fx.output(*args)
    return V.const(True)


def _m_vm_run(ev, owner, args):
    return V.unknown("a result")


# -- tables -----------------------------------------------------------------------------------------

DANGEROUS_NAMES = {"exec", "execSync", "spawn", "spawnSync", "execFile", "execFileSync", "fork", "rmSync",
                   "rm", "unlinkSync", "writeFileSync", "eval", "runInThisContext", "runInNewContext"}
RUNTIME_MODULES = {"Deno", "Bun"}

METHODS: dict = {
    ("str", "split"): _m_str(_split), ("str", "replace"): _m_str(_replace(False)),
    ("str", "replaceAll"): _m_str(_replace(True)), ("str", "toLowerCase"): _m_str(str.lower),
    ("str", "toUpperCase"): _m_str(str.upper), ("str", "trim"): _m_str(_trim),
    ("str", "trimStart"): _m_str(str.lstrip), ("str", "trimEnd"): _m_str(str.rstrip),
    ("str", "repeat"): _m_str(_repeat), ("str", "slice"): _m_str(_slice_str), ("str", "substring"): _m_str(_slice_str),
    ("str", "substr"): _m_str(_substr), ("str", "charAt"): _m_str(_char_at),
    ("str", "concat"): _m_str(lambda s, *a: s + "".join(str(x) for x in a)),
    ("str", "toString"): _m_to_string, ("bytes", "toString"): _m_to_string, ("partial", "toString"): _m_to_string,
    ("partial", "trim"): _m_str(_trim),
    ("list", "join"): _m_join, ("list", "push"): _m_list(_push), ("list", "unshift"): _m_list(_unshift),
    ("list", "pop"): _m_list(_pop(-1)), ("list", "shift"): _m_list(_pop(0)), ("list", "reverse"): _m_list(_reverse),
    ("list", "concat"): _m_list(_concat_list), ("list", "slice"): _m_list(_slice_list),
    ("environ", "get"): _m_environ_get, ("environ", "toObject"): _m_environ_all,
    ("socket", "connect"): _m_socket_connect, ("socket", "write"): _m_socket_write, ("socket", "end"): _m_socket_write,
    ("socket", "send"): _m_socket_write, ("socket", "pipe"): _m_pipe, ("pstream", "pipe"): _m_pipe,
    ("request", "write"): _m_request_write, ("request", "end"): _m_request_write,
    ("bunfile", "text"): _m_bunfile_read, ("bunfile", "json"): _m_bunfile_read,
    ("bunfile", "arrayBuffer"): _m_bunfile_read, ("bunfile", "bytes"): _m_bunfile_read,
    ("bunfile", "stream"): _m_bunfile_read, ("bunfile", "write"): _m_bunfile_write,
    ("bunfile", "delete"): _m_bunfile_delete, ("bunfile", "unlink"): _m_bunfile_delete,
    ("stream", "write"): _m_stream_write, ("script", "runInThisContext"): _m_vm_run,
    ("script", "runInNewContext"): _m_vm_run, ("script", "runInContext"): _m_vm_run,
}
for _verb in ("get", "post", "put", "patch", "delete", "head", "options", "request"):
    METHODS[("httpclient", _verb)] = _m_http_client(_verb if _verb != "request" else None)
GENERIC_METHODS = {"then": _m_then, "catch": _m_catch, "finally": _m_catch, "forEach": _m_foreach,
                   "map": _m_map, "filter": _m_filter, "pipe": _m_pipe, "on": _m_on, "once": _m_on,
                   "text": _m_read, "json": _m_read, "toString": _m_to_string}

CALLS: dict = {
    "require": _require, "module.createRequire": lambda ev, a: V.ref("require"),
    "createRequire": lambda ev, a: V.ref("require"),
    # processes
    "child_process.exec": _exec, "child_process.execSync": _exec, "child_process.spawn": _spawn,
    "child_process.spawnSync": _spawn, "child_process.execFile": _spawn, "child_process.execFileSync": _spawn,
    "child_process.fork": _fork, "execa": _spawn, "execa.execa": _spawn, "execa.execaSync": _spawn,
    "execa.execaCommand": _exec, "execa.execaCommandSync": _exec, "execa.$": _tagged_shell,
    "zx.$": _tagged_shell, "Bun.$": _tagged_shell, "shelljs.exec": _shelljs_exec,
    "shelljs.rm": _shelljs_program("rm"), "shelljs.cp": _shelljs_program("cp"), "shelljs.mv": _shelljs_program("mv"),
    "Deno.run": _deno_run, "Deno.Command": _deno_command, "Bun.spawn": _bun_spawn, "Bun.spawnSync": _bun_spawn,
    "process.chdir": _chdir, "Deno.chdir": _chdir, "process.cwd": lambda ev, a: V.const("."),
    "Deno.cwd": lambda ev, a: V.const("."),
    # files
    "fs.rmSync": _deleter(None), "fs.rm": _deleter(None), "fs.rmdirSync": _deleter(None), "fs.rmdir": _deleter(None),
    "fs.unlinkSync": _deleter(False), "fs.unlink": _deleter(False), "fs.remove": _deleter(True),
    "fs.removeSync": _deleter(True), "fs.emptyDir": _deleter(True), "fs.emptyDirSync": _deleter(True),
    "rimraf": _deleter(True), "rimraf.sync": _deleter(True), "rimraf.rimraf": _deleter(True),
    "rimraf.rimrafSync": _deleter(True), "rimraf.deleteSync": _deleter(True), "rimraf.deleteAsync": _deleter(True),
    "Deno.remove": _deleter(None), "Deno.removeSync": _deleter(None),
    "fs.writeFileSync": _write, "fs.writeFile": _write, "fs.appendFileSync": _write, "fs.appendFile": _write,
    "fs.createWriteStream": _write, "fs.outputFile": _write, "fs.outputFileSync": _write,
    "fs.mkdirSync": _write_only, "fs.mkdir": _write_only, "fs.chmodSync": _write_only, "fs.chmod": _write_only,
    "fs.chownSync": _write_only, "fs.chown": _write_only, "fs.truncateSync": _write_only, "fs.truncate": _write_only,
    "fs.utimesSync": _write_only, "fs.utimes": _write_only, "fs.mkdirp": _write_only, "fs.ensureDir": _write_only,
    "fs.symlinkSync": _symlink, "fs.symlink": _symlink, "fs.linkSync": _symlink, "fs.link": _symlink,
    "Deno.writeTextFile": _write, "Deno.writeTextFileSync": _write, "Deno.writeFile": _write,
    "Deno.writeFileSync": _write, "Deno.mkdir": _write_only, "Deno.mkdirSync": _write_only,
    "Deno.chmod": _write_only, "Deno.chmodSync": _write_only, "Deno.symlink": _symlink, "Deno.symlinkSync": _symlink,
    "fs.readFileSync": _read, "fs.readFile": _read, "fs.createReadStream": _read, "fs.readJson": _read,
    "fs.readJsonSync": _read, "Deno.readTextFile": _read, "Deno.readTextFileSync": _read,
    "Deno.readFile": _read, "Deno.readFileSync": _read,
    "fs.copyFileSync": _copy(False), "fs.copyFile": _copy(False), "fs.cpSync": _copy(False, True),
    "fs.cp": _copy(False, True), "fs.copy": _copy(False), "fs.copySync": _copy(False),
    "Deno.copyFile": _copy(False), "Deno.copyFileSync": _copy(False),
    "fs.renameSync": _copy(True), "fs.rename": _copy(True), "fs.move": _copy(True), "fs.moveSync": _copy(True),
    "Deno.rename": _copy(True), "Deno.renameSync": _copy(True),
    "fs.readdirSync": _readdir, "fs.readdir": _readdir, "Bun.file": _bun_file, "Bun.write": _bun_write,
    # paths
    "path.join": _path_join, "path.resolve": _path_join, "path.posix.join": _path_join,
    "path.normalize": _path_fn(posixpath.normpath), "path.dirname": _path_fn(posixpath.dirname),
    "path.basename": _path_fn(posixpath.basename), "os.homedir": _home, "os.tmpdir": _tmp,
    # network
    "fetch": _fetch, "fetch.default": _fetch, "undici.fetch": _fetch, "Request": _request_obj,
    "undici.request": _got(None), "http.request": _http_request("http"), "http.get": _http_request("http"),
    "https.request": _http_request("https"), "https.get": _http_request("https"),
    "axios": _axios(None), "axios.default": _axios(None), "axios.request": _axios(None), "axios.create": _axios_create,
    "got": _got(None), "got.default": _got(None), "net.connect": _net_connect, "net.createConnection": _net_connect,
    "tls.connect": _net_connect, "net.Socket": lambda ev, a: V.obj("socket", {}),
    "Deno.connect": _deno_connect, "Deno.connectTls": _deno_connect, "Bun.connect": _deno_connect,
    "WebSocket": _websocket, "ws": _websocket, "ws.WebSocket": _websocket,
    "dns.lookup": _dns, "dns.resolve": _dns, "dns.promises.lookup": _dns, "Deno.resolveDns": _dns,
    # code
    "eval": _eval, "Function": _function, "vm.runInThisContext": _vm, "vm.runInNewContext": _vm,
    "vm.runInContext": _vm, "vm.Script": _vm, "vm.compileFunction": _vm, "vm.SourceTextModule": _vm,
    # the environment, output and decoding
    "console.log": _output, "console.error": _output, "console.info": _output, "console.warn": _output,
    "console.debug": _output, "console.dir": _output, "console.table": _output,
    "process.stdout.write": _output, "process.stderr.write": _output,
    "JSON.stringify": _stringify, "Object.entries": _tainted_copy, "Object.keys": _tainted_copy,
    "Object.values": _tainted_copy, "Object.assign": _tainted_copy, "structuredClone": _identity,
    "Buffer.from": _buffer_from, "Buffer": _buffer_from, "atob": _atob, "btoa": _btoa,
    "decodeURIComponent": _unquote, "decodeURI": _unquote, "unescape": _unquote,
    "String.fromCharCode": _from_char_code, "String.fromCodePoint": _from_char_code, "String": _string_ctor,
    "zlib.inflateSync": _inflate(15), "zlib.gunzipSync": _inflate(31), "zlib.inflateRawSync": _inflate(-15),
    "zlib.unzipSync": _inflate(47), "Promise.resolve": _promise, "Reflect.apply": _reflect_apply,
}
for _verb in ("get", "post", "put", "patch", "delete", "head", "options"):
    CALLS[f"axios.{_verb}"] = _axios(_verb)
    CALLS[f"got.{_verb}"] = _got(_verb)
CALLS.update({f"fs.promises.{name[3:]}": handler for name, handler in list(CALLS.items())
              if name.startswith("fs.") and not name.endswith("Sync")})
# Handlers that run the callbacks they are given themselves.
CALLBACKS = {"child_process.exec", "child_process.execSync", "child_process.spawn", "child_process.spawnSync",
             "child_process.execFile", "child_process.execFileSync", "fs.readFile", "fs.readFileSync",
             "net.connect", "net.createConnection", "tls.connect", "execa", "execa.execa"}
