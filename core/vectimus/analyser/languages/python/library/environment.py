"""The environment, input and output: ``os.getenv``/``os.environ``, ``input``/``sys.stdin``,
``print``, JSON dumps and writes to standard streams (what the code prints may carry a secret to a pipe).
"""

from __future__ import annotations

from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import env_var, fold_str, json_text, json_value
from vectimus.analyser.languages.python.library import files
from vectimus.analyser.languages.values import CONST, ENV, OBJ, SECRET


def _getenv(ev, args, kwargs):
    return env_var(ev.an, args[0] if args else V.unknown("?"), args[1] if len(args) > 1 else None, ev.fx.cmd)


def _print(ev, args, kwargs):
    """print(…), pprint, logging: to the standard output or error, which the agent reads, unless
    ``file=`` names another stream."""
    to = kwargs.get("file") or kwargs.get("stream")
    if to is None or to.kind == CONST and to.value is None or shows(to):
        ev.fx.shown("print", *args)
    else:
        ev.fx.output(*args)
    return V.NONE


def shows(stream) -> bool:
    """Whether ``stream`` is the standard output or error (``sys.stdout``, ``sys.stderr``)."""
    return stream.kind == OBJ and stream.value == ("stream", "shown")


def _dotenv_values(ev, args, kwargs):
    """python-dotenv's ``dotenv_values(path=".env")``: the file's values (read as ``open`` reads it)."""
    path = args[0] if args else kwargs.get("dotenv_path", V.const(".env"))
    secret = ev.fx.file("file_read", path)
    return V.unknown("the file's values", SECRET if secret else 0)


def _json_dumps(ev, args, kwargs):
    return json_text(args[0] if args else V.NONE)


def _json_loads(ev, args, kwargs):
    return json_value(args[0]) if args else V.unknown("data")


def _json_load(ev, args, kwargs):
    """json.load(f): the data of the file, when it can be known now (``contents``)."""
    source = args[0] if args else None
    if source is not None and source.kind == OBJ and source.value[0] == "file":
        return json_value(files.read_file(ev, source))
    return V.unknown("data", V.taint_of(*args))


def _json_dump(ev, args, kwargs):
    if args:
        to = args[1] if len(args) > 1 else kwargs.get("fp")
        (ev.fx.shown if to is not None and shows(to) else lambda via, *vals: ev.fx.output(*vals))("print", args[0])
    return V.NONE


def _m_stream_write(ev, owner, args, kwargs):
    if shows(owner):
        ev.fx.shown("print", *args)
    else:
        ev.fx.output(*args)
    return V.NONE


STDIN = V.obj("file", {"path": V.const(0), "taint": 0, "reads": True})  # sys.stdin, open(0)


def _input(ev, args, kwargs):
    """input(): a line of the standard input, when the shell gives it known text."""
    if args:
        ev.fx.output(args[0])
    return fold_str(lambda t: t.rstrip("\n"), files.readline(ev, STDIN))


def _m_environ_get(ev, owner, args, kwargs):
    return env_var(ev.an, args[0] if args else V.unknown("?"), args[1] if len(args) > 1 else None, ev.fx.cmd)


def _m_environ_all(ev, owner, args, kwargs):
    return V.unknown("the environment", ENV, item=V.unknown("a variable", ENV))


def _m_environ_set(ev, owner, args, kwargs):
    return V.NONE


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "os.getenv": _getenv, "os.getenvb": _getenv, "print": _print, "json.dumps": _json_dumps,
    "json.dump": _json_dump, "json.loads": _json_loads, "json.load": _json_load, "pprint.pprint": _print, "pprint.pp": _print, "logging.info": _print,
    "logging.warning": _print, "logging.error": _print, "logging.debug": _print, "input": _input,
    "dotenv.dotenv_values": _dotenv_values, "dotenv.main.dotenv_values": _dotenv_values,
    "dotenv.find_dotenv": lambda ev, args, kwargs: V.const(".env"),
}

METHODS: dict = {
    ("stream", "write"): _m_stream_write, ("stream", "writelines"): _m_stream_write,
    ("environ", "get"): _m_environ_get, ("environ", "setdefault"): _m_environ_get,
    ("environ", "copy"): _m_environ_all, ("environ", "items"): _m_environ_all,
    ("environ", "keys"): _m_environ_all, ("environ", "values"): _m_environ_all,
    ("environ", "update"): _m_environ_set, ("environ", "pop"): _m_environ_get,
    ("environ", "__setitem__"): _m_environ_set,
}
