"""Code run from values: ``eval``, ``Function``, ``vm``, and ``require``."""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text, to_text
from vectimus.analyser.languages.javascript.library.arguments import arg
from vectimus.analyser.languages.javascript.library.names import module_name


def _eval(ev, args):
    source = arg(args, 0)
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
    source = arg(args, 0)
    if source is not None:
        ev.run_source(source, "node vm")
    return V.obj("script", None)


def _require(ev, args):
    name = arg(args, 0)
    module = text(name) if name is not None else None
    if module is None:
        return V.obj("anymodule", None)
    from vectimus.analyser.languages.javascript import requires

    requires.follow(ev, module)
    return V.ref(module_name(module))


def _native(ev, args):
    """process.binding / process.dlopen / internalBinding: node's native internals (spawn_sync, a
    shared library), whose effects are not read here."""
    ev.fx.dynamic("node native binding")
    return V.unknown("a native binding")


def _m_vm_run(ev, owner, args):
    return V.unknown("a result")


METHODS = {("script", "runInThisContext"): _m_vm_run, ("script", "runInNewContext"): _m_vm_run,
           ("script", "runInContext"): _m_vm_run}


CALLS = {
    "require": _require, "module.createRequire": lambda ev, a: V.ref("require"),
    "createRequire": lambda ev, a: V.ref("require"),
    "eval": _eval, "Function": _function, "vm.runInThisContext": _vm, "vm.runInNewContext": _vm,
    "vm.runInContext": _vm, "vm.Script": _vm, "vm.compileFunction": _vm, "vm.SourceTextModule": _vm,
    "process.binding": _native, "process._linkedBinding": _native, "process.dlopen": _native,
    "internalBinding": _native,
}
