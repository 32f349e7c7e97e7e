"""Data that runs code when it is loaded: pickles (``pickle.load``, ``joblib.load``,
``pandas.read_pickle``, ``torch.load``, ``numpy.load(allow_pickle=True)``, ``dill``, ``shelve``) and
YAML read with an unsafe loader (``yaml.unsafe_load``, ``yaml.load(…, Loader=yaml.Loader)``).

The file is read at hook time, bounded, never following what the call itself would not read, and
judged by what loading it calls: a pickle's globals (its opcodes, listed by ``pickletools``
without running anything) and YAML's ``!!python/…`` tags. A shell or code call among them runs
the pickle's or document's strings, analysed as such; any other call into a module that runs
things (``os``, ``subprocess``, ``builtins`` …) is code nobody can read (dynamic). A data pickle
of classes (numpy arrays, a DataFrame, a model) is ordinary. A file the agent wrote that cannot
be read is dynamic; one that does not exist yet, or that this call writes unseen, is made by the
code itself (a cache it loads later).
"""

from __future__ import annotations

import re

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import text
from vectimus.analyser.languages.python.library.names import RISKY_MODULES, SHELL_CALLS, arg
from vectimus import world
from vectimus.analyser.languages import contents
from vectimus.analyser.languages.values import CONST, OBJ, REF, UNKNOWN, Val

MAX_BYTES = 4 * 1024 * 1024   # a pickle or YAML file read to judge it
MAX_OPS = 200_000             # opcodes listed
CODE_CALLS = {"builtins.exec", "builtins.eval", "__builtin__.exec", "__builtin__.eval", "builtins.compile"}
SHELLS = {"subprocess.run", "subprocess.call", "subprocess.Popen",
          "subprocess.check_call", "subprocess.check_output", "os.execv", "os.execvp", "os.spawnv", "pty.spawn"}
RISKY = {*RISKY_MODULES, "posix", "nt", "__builtin__", "runpy", "code", "codeop", "webbrowser", "sys", "marshal",
         "pickle", "_pickle", "types", "commands", "popen2", "platform", "multiprocessing", "asyncio", "urllib",
         "requests", "http", "ftplib", "smtplib", "telnetlib", "tempfile", "glob", "io", "_io", "operator",
         "functools", "timeit", "pdb", "bdb", "cProfile", "profile", "trace", "distutils", "setuptools", "pip"}
SAFE_BUILTINS = {"set", "frozenset", "bytearray", "complex", "slice", "range", "object", "list", "dict", "tuple",
                 "int", "float", "str", "bytes", "bool", "getattr"}


def _pickle_arg(ev, value: Val | None, via: str, data: bool = False) -> None:
    """Judge the pickle ``value`` holds (its bytes, with ``data``) or names (a path or an open file)."""
    if value is None:
        return
    for option in V.options(value)[:8]:
        if data and option.kind == CONST and isinstance(option.value, (bytes, bytearray, str)):
            _judge_pickle(ev, _as_bytes(option.value), via, "")
            continue
        path = _path_of(option, data)
        if path is None:
            continue  # bytes not known here: what made them was analysed where it ran
        found, label = _read(ev, path)
        if found is not None:
            _judge_pickle(ev, found, via, label)


def _judge_pickle(ev, data: bytes, via: str, label: str) -> None:
    import pickletools

    calls: list[str] = []
    strings: list[str] = []
    try:
        for count, (op, value, _) in enumerate(pickletools.genops(data)):
            if count > MAX_OPS:
                ev.fx.dynamic(f"{via}: a pickle too long to read{label}")
                return
            if op.name in ("GLOBAL", "INST") and isinstance(value, str):
                calls.append(value.replace(" ", "."))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                calls.append(f"{strings[-2]}.{strings[-1]}")
            elif isinstance(value, (str, bytes)) and op.name not in ("PROTO", "FRAME"):
                strings.append(value if isinstance(value, str) else value.decode("utf-8", "replace"))
            if op.name == "STOP":
                break
    except Exception:  # noqa: BLE001 - not a pickle this Python reads: loading it fails, runs nothing
        return
    _judge_calls(ev, [_py3(c) for c in calls], strings, via, label)


def _py3(call: str) -> str:
    """A Python 2 name as unpickling maps it (``commands.getoutput``, ``__builtin__.eval``)."""
    import _compat_pickle

    module, _, name = call.rpartition(".")
    module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
    return f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"


def _judge_calls(ev, calls: list[str], strings: list[str], via: str, label: str) -> None:
    """What loading data that calls ``calls`` with ``strings`` among its values runs."""
    for call in dict.fromkeys(calls):
        module, _, name = call.rpartition(".")
        values = [s for s in strings[:64] if s and s not in (module, name, call)]
        if call in SHELL_CALLS or module in ("posix", "nt") and name == "system":
            for s in values[:16]:  # each string may be the command text
                ev.fx.shell(V.const(s), f"{via} {call}{label}")
        elif call in SHELLS or (module in ("os", "posix", "nt") and name.startswith(("exec", "spawn", "popen"))):
            import shlex  # the strings, in order, as the argument list (and any one as a command text)

            ev.fx.shell(V.const(" ".join(shlex.quote(s) for s in values)), f"{via} {call}{label}")
        elif call in CODE_CALLS:
            for s in values[:16]:
                ev.exec_source(s, f"{via} {call}{label}")
        elif module.split(".")[0] in RISKY and not (module in ("builtins", "__builtin__") and name in SAFE_BUILTINS):
            ev.fx.dynamic(f"{via}: loading calls {call}{label}")


_TAG = re.compile(r"!!python/(object/apply|object/new|object|name|module):([\w.]+)\s*(\[[^\]\n]*\])?"
                  r"|tag:yaml\.org,2002:python/(object/apply|object/new|name|module):([\w.]+)")
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^']|'')*)'|([^,\[\]\s][^,\[\]]*)")


def _yaml(ev, value: Val | None, via: str) -> None:
    """YAML loaded with a loader that builds Python objects: the calls its tags make."""
    if value is None:
        return
    for option in V.options(value)[:8]:
        if option.kind == CONST and isinstance(option.value, (str, bytes)):
            document = option.value if isinstance(option.value, str) else option.value.decode("utf-8", "replace")
            label = ""
        else:
            path = _path_of(option)
            data, label = _read(ev, path) if path is not None else (None, "")
            if data is None:
                continue
            document = data.decode("utf-8", "replace")
        calls, strings = [], []
        for m in _TAG.finditer(document):
            calls.append(m.group(2) or m.group(5))
            for q in _QUOTED.finditer((m.group(3) or "")[1:-1]):
                strings.append((q.group(1) or q.group(2) or q.group(3) or "").strip())
        _judge_calls(ev, calls, strings, via, label)


def _path_of(v: Val, data: bool = False) -> Val | None:
    """The path an open file or a path-like value names (for ``data``, bytes read from a file: that file)."""
    if v.kind == UNKNOWN and isinstance(v.value, contents.Unread):  # open(p, "rb").read(), Path(p).read_bytes()
        return v.value.path
    if data:
        return None
    if v.kind == OBJ and v.value[0] == "file" and isinstance(v.value[1], dict):
        return v.value[1].get("path")
    if v.kind == OBJ and v.value[0] == "path":
        return v.value[1]
    if v.kind == CONST and isinstance(v.value, str):
        return v
    return None


def _read(ev, path: Val) -> tuple[bytes | None, str]:
    """The bytes of the file ``path`` names (" in FILE" to name it), bounded; None when it does not
    exist, cannot be read as a regular file (dynamic when the agent wrote it) or is not known."""
    from vectimus.analyser import runs

    t = text(path)
    if t is None:
        return None, ""
    an = ev.an
    target = an.target(V.words(path)[0], ev.fx.cmd.scope)
    if target.is_secret:
        return None, ""
    label = f" in {runs.display(an, target.path)}"
    if target.path in an.pending:
        written = an.pending[target.path]  # (None: made by the code itself, as a cache it loads later is)
        return (written.encode("utf-8", "surrogateescape") if written is not None else None), label
    try:
        data = world.read(target.path, MAX_BYTES)
    except world.NotRegular:
        data = None
    except (OSError, ValueError):
        return None, label
    if data is None or len(data) > MAX_BYTES:
        if runs.by_agent(an, target.path):
            ev.fx.dynamic(f"loading {runs.display(an, target.path)}: too large or not a file")
        return None, label
    return data, label


def _as_bytes(value) -> bytes:
    return value.encode("latin-1", "replace") if isinstance(value, str) else bytes(value)


def _pickled(name: str, key: str = "file"):
    def handler(ev, args, kwargs):
        _pickle_arg(ev, arg(args, kwargs, 0, key), name, data=name.endswith("loads"))
        return V.unknown("an object")
    return handler


def _numpy_load(ev, args, kwargs):
    allow = arg(args, kwargs, 1, "allow_pickle")
    if allow is not None and allow.kind == CONST and allow.value:
        _pickle_arg(ev, arg(args, kwargs, 0, "file"), "numpy.load")
    return V.unknown("an array")


def _torch_load(ev, args, kwargs):
    weights_only = kwargs.get("weights_only")
    if not (weights_only is not None and weights_only.kind == CONST and weights_only.value is True):
        _pickle_arg(ev, arg(args, kwargs, 0, "f"), "torch.load")
    return V.unknown("a tensor")


def _shelve(ev, args, kwargs):
    path = arg(args, kwargs, 0, "filename")
    for option in V.options(path)[:8] if path is not None else ():
        t = text(option)
        if t is not None:
            from vectimus.analyser import runs

            for suffix in ("", ".db", ".dat"):
                target = ev.an.target(V.words(V.const(t + suffix))[0], ev.fx.cmd.scope)
                if runs.by_agent(ev.an, target.path):  # its values are pickles the agent chose
                    ev.fx.dynamic(f"shelve.open of {runs.display(ev.an, target.path)}")
    return V.obj("shelf", None)


def _yaml_load(unsafe: bool):
    def handler(ev, args, kwargs):
        loader = arg(args, kwargs, 1, "Loader")
        name = loader.value.rpartition(".")[2] if loader is not None and loader.kind == REF else ""
        if unsafe or name in ("Loader", "UnsafeLoader", "CLoader", "CUnsafeLoader"):
            _yaml(ev, arg(args, kwargs, 0, "stream"), "yaml")
        return V.unknown("a document")
    return handler


CALLS: dict = {
    "pickle.load": _pickled("pickle.load"), "_pickle.load": _pickled("pickle.load"),
    "cPickle.load": _pickled("pickle.load"), "pickle.loads": _pickled("pickle.loads", key="data"),
    "_pickle.loads": _pickled("pickle.loads", key="data"), "dill.load": _pickled("dill.load"),
    "dill.loads": _pickled("dill.loads", key="str"), "cloudpickle.load": _pickled("cloudpickle.load"),
    "cloudpickle.loads": _pickled("cloudpickle.loads", key="data"),
    "pickle.Unpickler": _pickled("pickle.Unpickler"), "joblib.load": _pickled("joblib.load", key="filename"),
    "pandas.read_pickle": _pickled("pandas.read_pickle", key="filepath_or_buffer"),
    "numpy.load": _numpy_load, "torch.load": _torch_load, "shelve.open": _shelve,
    "yaml.load": _yaml_load(False), "yaml.load_all": _yaml_load(False), "yaml.unsafe_load": _yaml_load(True),
    "yaml.unsafe_load_all": _yaml_load(True),
}
METHODS: dict = {}
