"""Code the code runs: ``exec``/``eval``/``compile``, dynamic imports and ``getattr``, marshalled
code, namespaces and ``runpy`` (pickles are ``deserialize``'s).
"""

from __future__ import annotations

from vectimus.analyser.context import Word
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text
from vectimus.analyser.languages.python.library.names import arg, canonical
from vectimus.analyser.languages.values import CONST, OBJ, REF, Val


def _exec(ev, args, kwargs):
    """exec / eval: known source runs here, in the same namespace; unknown source is dynamic."""
    source = arg(args, kwargs, 0, "source", "object")
    if source is None:
        return V.NONE
    results = []
    for option in V.options(source):
        if option.kind == OBJ and option.value[0] == "code":
            option = option.value[1]
            if option is None:  # compiled here from source already analysed
                continue
        if option.kind == CONST and isinstance(option.value, (str, bytes)):
            results.append(ev.exec_source(V.text_of(option), "python eval"))
        elif not V.is_placeholder(option):
            ev.fx.dynamic("python eval")
    return V.alts(results) if results else V.unknown("an evaluated value", V.taint_of(source))


def _compile(ev, args, kwargs):
    """compile: a code object may run in ways not followed here (``exec``, ``types.FunctionType``,
    a function's ``__code__``), so its source is analysed here, once; ``exec`` of it adds nothing."""
    source = arg(args, kwargs, 0, "source")
    if source is None:
        return V.obj("code", V.unknown("code"))
    _exec(ev, [source], {})
    return V.obj("code", None)


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


def _load_file(index: int, name: str):
    """A module loaded from a file by path (``importlib.util.spec_from_file_location``,
    ``SourceFileLoader``, ``imp.load_source``): the agent's file is analysed, as ``loads`` does for
    other languages' loads."""
    def handler(ev, args, kwargs):
        location = arg(args, kwargs, index, name)
        if location is not None and not V.is_placeholder(location):
            from vectimus.analyser.languages import loads

            path = text(location)
            spec = Word(path) if path is not None else Word("a path chosen at run time", dynamic=True)
            loads.follow(ev.an, ev.fx.cmd, "python", spec, "python module file")
        return V.unknown("a module loader")
    return handler


def _introspection(ev, *_):
    """Python's object graph (``gc.get_objects``, ``object.__subclasses__()``): reaches any class
    or module, ``Popen`` and ``os`` among them, by a name that is never spelled."""
    ev.fx.dynamic("python introspection")
    return V.unknown("any object")


def introspect(ev, owner: Val, attr: str) -> Val | None:
    """The dunder attributes that reach code by other names: a function's ``__globals__`` is its
    module's namespace; ``__subclasses__`` of a class the code did not define is any class."""
    if attr == "__globals__":
        return V.obj("namespace", None)
    if attr == "__subclasses__" and not (owner.kind == OBJ and owner.value[0] == "class"):
        return V.obj("method", (V.unknown("a class"), attr))
    return None


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


def _debugger(ev, args, kwargs):
    """breakpoint() / pdb.set_trace(): pdb starts and runs the ``.pdbrc`` files it finds (the
    home's and the working directory's) before anything else, unless PYTHONBREAKPOINT=0."""
    if ev.fx.first("pdb session"):
        from vectimus.analyser.facts import env
        from vectimus.analyser.programs import python_wrappers

        hook = env.value(ev.fx.cmd, "PYTHONBREAKPOINT")
        if hook is None or hook.dynamic or hook.text != "0":
            python_wrappers.pdb_session(ev.an, ev.fx.cmd, [])
    return V.NONE


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "exec": _exec, "eval": _exec, "compile": _compile, "__import__": _import, "importlib.import_module": _import,
    "importlib.__import__": _import, "getattr": _getattr, "marshal.loads": _unpickle, "globals": _namespace, "locals": _namespace, "vars": _namespace,
    "runpy.run_path": _runpy, "runpy.run_module": _runpy, "execfile": _runpy,
    "importlib.util.spec_from_file_location": _load_file(1, "location"),
    "importlib.machinery.SourceFileLoader": _load_file(1, "path"),
    "importlib.machinery.SourcelessFileLoader": _load_file(1, "path"), "imp.load_source": _load_file(1, "pathname"),
    "imp.load_compiled": _load_file(1, "pathname"), "zipimport.zipimporter": _introspection,
    "importlib.machinery.BuiltinImporter.load_module": _import, "gc.get_objects": _introspection,
    "gc.get_referents": _introspection, "gc.get_referrers": _introspection,
    "breakpoint": _debugger, "pdb.set_trace": _debugger, "pdb.Pdb": _debugger, "ipdb.set_trace": _debugger,
}

METHODS: dict = {
    ("unknown", "__subclasses__"): _introspection,
}
