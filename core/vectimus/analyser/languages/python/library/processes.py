"""Processes: ``subprocess``, ``os.exec*``/``spawn*``, ``pty``, threads and ``atexit`` callbacks,
``ctypes`` ``system``, and a socket wired to a process's standard streams.
"""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text
from vectimus.analyser.languages.python.library.names import arg
from vectimus.analyser.languages.values import OBJ, SEQ, UNKNOWN, Val


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
    shell = V.truthy(kwargs.get("shell"))
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
            name = text(option)
            if shell is None and not is_list and name is not None and " " not in name:
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


def _clib(ev, args, kwargs):
    return V.obj("clib", None)


def _m_process_communicate(ev, owner, args, kwargs):
    data = arg(args, kwargs, 0, "input")
    if data is not None:
        ev.fx.output(data)
    return V.unknown("a process's output")


def _m_clib_system(ev, owner, args, kwargs):
    ev.fx.shell(args[0] if args else V.unknown("a command"), "python ctypes")
    return V.unknown("an exit status")


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "subprocess.run": _subprocess, "subprocess.call": _subprocess, "subprocess.check_call": _subprocess,
    "subprocess.check_output": _subprocess, "subprocess.Popen": _subprocess, "os.execv": _exec_v(0, False),
    "os.execve": _exec_v(0, True), "os.execvp": _exec_v(0, False), "os.execvpe": _exec_v(0, True),
    "os.spawnv": _exec_v(1, False), "os.spawnve": _exec_v(1, True), "os.spawnvp": _exec_v(1, False),
    "os.spawnvpe": _exec_v(1, True), "os.posix_spawn": _exec_v(0, True), "os.posix_spawnp": _exec_v(0, True),
    "os.execl": _exec_l(0, False), "os.execle": _exec_l(0, True), "os.execlp": _exec_l(0, False),
    "os.execlpe": _exec_l(0, True), "os.spawnl": _exec_l(1, False), "os.spawnle": _exec_l(1, True),
    "os.spawnlp": _exec_l(1, False), "os.spawnlpe": _exec_l(1, True), "pty.spawn": _pty_spawn,
    "asyncio.create_subprocess_exec": _create_exec, "os.dup2": _dup2,
    "os.dup": lambda ev, a, k: a[0] if a else V.unknown("a file descriptor"), "threading.Thread": _thread,
    "multiprocessing.Process": _thread, "atexit.register": _register, "ctypes.CDLL": _clib,
    "ctypes.cdll.LoadLibrary": _clib, "ctypes.PyDLL": _clib, "ctypes.CDLL.LoadLibrary": _clib,
    "ctypes.util.find_library": lambda ev, a, k: V.const("libc.so.6"),
}

METHODS: dict = {
    ("process", "communicate"): _m_process_communicate, ("clib", "system"): _m_clib_system,
    ("clib", "popen"): _m_clib_system,
}

PROPERTIES: dict = {
    ("process", "stdin"): lambda ev, o: V.obj("stream"), ("clib", "libc"): lambda ev, o: o,
}
