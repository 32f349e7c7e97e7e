"""Code the code runs: ``exec``/``eval``/``compile``, dynamic imports and ``getattr``, pickles,
namespaces and ``runpy``.
"""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text
from vectimus.analyser.languages.python.library.names import arg, canonical
from vectimus.analyser.languages.values import CONST, OBJ, REF


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
    from vectimus.analyser.languages.python import imports

    imports.follow(ev, t)
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


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "exec": _exec, "eval": _exec, "compile": _compile, "__import__": _import, "importlib.import_module": _import,
    "importlib.__import__": _import, "getattr": _getattr, "pickle.loads": _unpickle, "marshal.loads": _unpickle,
    "dill.loads": _unpickle, "globals": _namespace, "locals": _namespace, "vars": _namespace,
    "runpy.run_path": _runpy, "runpy.run_module": _runpy, "execfile": _runpy,
}

METHODS: dict = {

}
