"""Processes: ``child_process``, execa, zx, shelljs, ``Deno.Command``, ``Bun.spawn``, ``process.chdir``."""

from __future__ import annotations

import posixpath

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text, to_text
from vectimus.analyser.languages.javascript.library.arguments import arg, keys, opt, options_after, socket_of
from vectimus.analyser.languages.values import CONST, DICT, OBJ, SEQ, UNKNOWN, Val


def _process(program: Val | None) -> Val:
    name = text(program) if program is not None else None
    return V.obj("process", {"program": posixpath.basename(name) if name else "?"})


def _exec(ev, args):
    """exec / execSync / execaCommand: a shell command line."""
    command = arg(args, 0)
    if command is None:
        return V.unknown("a process")
    options = options_after(args, 1)
    ev.fx.shell(command, "node subprocess", ev.fx.in_dir(opt(options, "cwd")))
    if "input" in keys(options):
        ev.fx.output(opt(options, "input"))
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, V.unknown("the command's output"), V.unknown("its errors")])
    return _process(V.const("sh"))


def _spawn(ev, args):
    """spawn / spawnSync / execFile / execFileSync / execa: a program and its arguments."""
    program = arg(args, 0)
    if program is None:
        return V.unknown("a process")
    rest = arg(args, 1)
    options = options_after(args, 1)
    items = list(rest.value) if rest is not None and rest.kind == SEQ else []
    if rest is not None and rest.kind == UNKNOWN:
        items = [V.unknown("arguments", rest.taint)]
    cmd = ev.fx.in_dir(opt(options, "cwd"))
    wired = socket_of(opt(options, "stdio"))
    if V.truthy(opt(options, "shell")) is not False:
        line = V.concat([program] + [part for item in items for part in (V.const(" "), to_text(item))])
        ev.fx.shell(line, "node subprocess", cmd)
    else:
        ev.fx.argv([program, *items], "node subprocess", cmd, wired)
    if "input" in keys(options):
        ev.fx.output(opt(options, "input"))
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, V.unknown("the program's output")])
    return _process(program)


def _fork(ev, args):
    module = arg(args, 0)
    if module is not None:
        rest = arg(args, 1)
        items = list(rest.value) if rest is not None and rest.kind == SEQ else []
        ev.fx.argv([V.const("node"), module, *items], "node subprocess")
    return _process(V.const("node"))


def _worker(ev, args):
    """``new Worker(file)`` runs a file as ``fork`` does; ``new Worker(code, {eval: true})`` runs code."""
    options = arg(args, 1)
    evaluated = opt(options, "eval") if options is not None else None
    if evaluated is not None and not (evaluated.kind == CONST and evaluated.value in (False, None, 0, "")):
        source = arg(args, 0)
        if source is not None:
            ev.run_source(source, "node worker")
        return V.obj("worker", None)
    _fork(ev, args[:1])
    return V.obj("worker", None)


def _tagged_shell(ev, args):
    """Bun's ``$`…```, zx's ``$`…```, execa's ``$`…```: shell text with quoted interpolations."""
    template = arg(args, 0)
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
    options = arg(args, 0)
    command = opt(options, "cmd")
    if command is not None and command.kind == SEQ:
        ev.fx.argv(list(command.value), "deno run", ev.fx.in_dir(opt(options, "cwd")))
    elif command is not None:
        ev.fx.dynamic("deno run")
    return _process(command.value[0] if command is not None and command.kind == SEQ and command.value else None)


def _deno_command(ev, args):
    program = arg(args, 0)
    options = arg(args, 1)
    rest = opt(options, "args")
    items = list(rest.value) if rest is not None and rest.kind == SEQ else (
        [V.unknown("arguments", rest.taint)] if rest is not None else [])
    if program is not None:
        ev.fx.argv([program, *items], "deno command", ev.fx.in_dir(opt(options, "cwd")))
    return V.obj("command", None)


def _bun_spawn(ev, args):
    first = arg(args, 0)
    options = options_after(args, 1) if first is not None and first.kind == SEQ else first
    command = first if first is not None and first.kind == SEQ else opt(first, "cmd")
    if command is not None and command.kind == SEQ:
        ev.fx.argv(list(command.value), "bun spawn", ev.fx.in_dir(opt(options, "cwd")),
                   socket_of(opt(options, "stdio")))
    elif command is not None:
        ev.fx.dynamic("bun spawn")
    return _process(command.value[0] if command is not None and command.kind == SEQ and command.value else None)


def _chdir(ev, args):
    target = arg(args, 0)
    if target is not None:
        ev.fx.chdir(target)
    return V.NONE


CALLS = {
    "child_process.exec": _exec, "child_process.execSync": _exec, "child_process.spawn": _spawn,
    "child_process.spawnSync": _spawn, "child_process.execFile": _spawn, "child_process.execFileSync": _spawn,
    "child_process.fork": _fork, "worker_threads.Worker": _worker, "execa": _spawn, "execa.execa": _spawn, "execa.execaSync": _spawn,
    "execa.execaCommand": _exec, "execa.execaCommandSync": _exec, "execa.$": _tagged_shell,
    "zx.$": _tagged_shell, "Bun.$": _tagged_shell, "shelljs.exec": _shelljs_exec,
    "shelljs.rm": _shelljs_program("rm"), "shelljs.cp": _shelljs_program("cp"), "shelljs.mv": _shelljs_program("mv"),
    "Deno.run": _deno_run, "Deno.Command": _deno_command, "Bun.spawn": _bun_spawn, "Bun.spawnSync": _bun_spawn,
    "process.chdir": _chdir, "Deno.chdir": _chdir, "process.cwd": lambda ev, a: V.const("."),
    "Deno.cwd": lambda ev, a: V.const("."),
}
# Handlers that run the callbacks they are given themselves.
CALLBACKS = {"child_process.exec", "child_process.execSync", "child_process.spawn", "child_process.spawnSync",
             "child_process.execFile", "child_process.execFileSync", "execa", "execa.execa"}
