"""Files and paths: ``open``, ``os``/``shutil``/``pathlib`` calls that read, write, delete,
list or move files, path folding (``os.path``), and the methods and properties of paths and files.
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser.languages import contents
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.folding import entry, env_var, fold_str, globbed, join, path, path_val, text
from vectimus.analyser.languages.python.library.names import arg
from vectimus.analyser.languages.values import CONST, SECRET, Val


def _open(ev, args, kwargs, mode_index: int = 1, target: Val | None = None) -> Val:
    target = target if target is not None else arg(args, kwargs, 0, "file", "filename", "path")
    if target is None:
        return V.unknown("a file")
    mode = arg(args, kwargs, mode_index, "mode")
    mode_text = text(mode) if mode is not None else "r"
    if target.kind == CONST and isinstance(target.value, int):
        return V.obj("file", {"path": target, "taint": 0, "reads": target.value == 0})  # a file descriptor
    if mode_text is None:
        mode_text = "r+"
    secret = False
    if "r" in mode_text or "+" in mode_text or not re.search(r"[wax]", mode_text):
        secret = ev.fx.file("file_read", target)
    if re.search(r"[wax+]", mode_text):
        ev.fx.file("file_write", target, ("a",) if "a" in mode_text else ())
    reads = "r" in mode_text or "+" in mode_text
    return V.obj("file", {"path": path_val(target), "taint": SECRET if secret else 0, "reads": reads},
                 SECRET if secret else 0)


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
    src, dst = arg(args, kwargs, 0, "src"), arg(args, kwargs, 1, "dst")
    if src is not None:
        ev.fx.link(src)
    if dst is not None:
        ev.fx.file("file_write", dst)
    return V.NONE


def _m_path_link_to(ev, owner, args, kwargs):
    target = arg(args, kwargs, 0, "target")
    if target is not None:
        ev.fx.link(target)
    ev.fx.file("file_write", owner)
    return V.NONE


def _listing(kind: str):
    def handler(ev, args, kwargs):
        target = arg(args, kwargs, 0, "path", "top", "pathname")
        if target is None:
            target = V.const(".")
        name = entry()
        below = globbed(join([target, name]) if kind != "glob" else path_val(target))
        if kind == "listdir":
            return V.unknown("names", item=name)
        if kind == "scandir":
            return V.unknown("entries", item=V.alts([V.obj("direntry", b) for b in V.options(below)]))
        if kind == "walk":
            names = V.unknown("names", item=name)
            return V.unknown("a walk", item=V.seq([V.alts([target, below]), names, names]))  # the top, then below
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
        parts.append(env_var(ev.an, V.const(m.group(1) or m.group(2)), cmd=ev.fx.cmd))
        pos = m.end()
    parts.append(V.const(t[pos:]))
    return V.concat(parts)


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


def _m_path_read(ev, owner, args, kwargs):
    secret = ev.fx.file("file_read", owner)
    if secret:
        return V.unknown("file contents", SECRET)
    return contents.file_text(ev.an, ev.fx.cmd, path_val(owner))


def _m_path_write(ev, owner, args, kwargs):
    ev.fx.file("file_write", owner)
    if args:
        ev.fx.output(args[0])
        ev.fx.wrote(owner, args[0])  # (write_text: the known text is what the file holds)
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
    return V.unknown("paths", item=V.alts([path(globbed(join([owner, n]))) for n in V.options(entry())]))


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


LINES, PART = 1, 2  # what was read of a file before: lines (any line is still one of its lines), a part


def _m_file_read(ev, owner, args, kwargs):
    """read(): what the file holds, when it can be known now (``contents``); read(n) is a part."""
    if args or kwargs:
        _read_before(ev, owner, PART)
        return V.unknown("part of a file", (owner.value[1] or {}).get("taint", 0))
    return read_file(ev, owner)


def read_file(ev, owner: Val, lines: bool = False) -> Val:
    """What the open file ``owner`` holds, when it can be known now (``contents``) and nothing of
    it was read before (what is left after a line is not the text); for ``lines``, the text its
    lines come from, unless a part was read (which splits a line)."""
    data = owner.value[1] or {}
    taint = data.get("taint", 0)
    if taint or not data.get("reads"):
        return V.unknown("file contents", taint)
    target = data["path"]
    stdin = target.kind == CONST and target.value == 0
    before = ev.fx.stdin_read_before if stdin else data.get("read before", 0)
    if before == PART or (before and not lines):
        return V.unknown("the rest of the input" if stdin else "the rest of a file")
    return contents.stdin_text(ev.an, ev.fx.cmd) if stdin else contents.file_text(ev.an, ev.fx.cmd, target)


def _read_before(ev, owner: Val, how: int) -> None:
    data = owner.value[1]
    target = data.get("path") if data else None
    if target is not None and target.kind == CONST and target.value == 0:
        ev.fx.stdin_read_before = max(ev.fx.stdin_read_before, how)  # sys.stdin is shared: the state is the call's
    elif data is not None:
        data["read before"] = max(data.get("read before", 0), how)


def readline(ev, owner: Val) -> Val:
    """readline(): any of the file's lines (which one depends on what was read before)."""
    whole = read_file(ev, owner, lines=True)
    _read_before(ev, owner, LINES)
    return contents.lines(whole)


def _m_file_readline(ev, owner, args, kwargs):
    return readline(ev, owner)


def _m_file_readlines(ev, owner, args, kwargs):
    whole = read_file(ev, owner)
    if whole.kind == CONST and isinstance(whole.value, str) and whole.value.count("\n") < 64:
        return V.seq([V.const(x) for x in whole.value.splitlines(keepends=True)], whole.taint)
    return V.unknown("lines", whole.taint, item=V.unknown("a line", whole.taint))


def _m_write_data(ev, owner, args, kwargs):
    if args:
        ev.fx.output(args[0])
    return V.NONE


def _m_fileno(ev, owner, args, kwargs):
    return V.obj("fd", owner)


def _m_unknown_read(ev, owner, args, kwargs):
    return V.unknown("data", V.taint_of(owner))


def _m_direntry_path(ev, owner):
    return owner.value[1]


# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {
    "open": _open, "io.open": _open, "codecs.open": _open, "io.FileIO": _open, "os.open": _os_open,
    "os.remove": _deleter(False), "os.unlink": _deleter(False), "os.rmdir": _deleter(False),
    "os.removedirs": _deleter(False), "shutil.rmtree": _deleter(True), "shutil.copy": _copier(False),
    "shutil.copy2": _copier(False), "shutil.copyfile": _copier(False),
    "shutil.move": _copier(True), "os.rename": _copier(True), "os.replace": _copier(True),
    "os.renames": _copier(True), "os.symlink": _link, "os.link": _link, "os.mkdir": _writer(),
    "os.makedirs": _writer(0, "name"), "os.mkfifo": _writer(), "os.mknod": _writer(), "os.truncate": _writer(),
    "os.chmod": _writer(), "os.lchmod": _writer(), "os.chown": _writer(), "os.lchown": _writer(),
    "os.utime": _writer(), "shutil.chown": _writer(), "os.chflags": _writer(), "os.listdir": _listing("listdir"),
    "os.scandir": _listing("scandir"), "os.walk": _listing("walk"), "os.fwalk": _listing("walk"),
    "glob.glob": _listing("glob"), "glob.iglob": _listing("glob"), "os.chdir": _chdir,
    "os.getcwd": lambda ev, a, k: V.const("."), "os.getcwdb": lambda ev, a, k: V.const(b"."),
    "tempfile.mkdtemp": _tempdir,
    "tempfile.gettempdir": lambda ev, a, k: V.const(ev.an.env.get("TMPDIR") or "/tmp"),
    "tempfile.TemporaryDirectory": _tempdir, "os.path.join": _os_path_join, "os.path.expanduser": _identity_path,
    "os.path.abspath": _os_path(posixpath.normpath), "os.path.realpath": _os_path(posixpath.normpath),
    "os.path.normpath": _os_path(posixpath.normpath), "os.path.dirname": _os_path(posixpath.dirname),
    "os.path.basename": _os_path(posixpath.basename), "os.path.expandvars": _expandvars,
    "os.fspath": _identity_path, "os.fsencode": _identity_path, "os.fsdecode": _identity_path,
    "pathlib.Path": _path_ctor, "pathlib.Path.home": _home,
    "pathlib.Path.cwd": lambda ev, a, k: path(V.const(".")), "shutil.which": _which,
}

METHODS: dict = {
    ("partial", "strip"): _m_path_same, ("path", "read_text"): _m_path_read,
    ("path", "read_bytes"): _m_path_read, ("path", "write_text"): _m_path_write,
    ("path", "write_bytes"): _m_path_write, ("path", "open"): _m_path_open,
    ("path", "unlink"): _m_path_delete(False), ("path", "rmdir"): _m_path_delete(False),
    ("path", "touch"): _m_path_touch, ("path", "mkdir"): _m_path_touch, ("path", "chmod"): _m_path_touch,
    ("path", "symlink_to"): _m_path_link_to, ("path", "hardlink_to"): _m_path_link_to,
    ("path", "lchmod"): _m_path_touch, ("path", "rename"): _m_path_rename, ("path", "replace"): _m_path_rename,
    ("path", "expanduser"): _m_path_same, ("path", "resolve"): _m_path_same, ("path", "absolute"): _m_path_same,
    ("path", "joinpath"): _m_path_join, ("path", "glob"): _m_path_glob(False),
    ("path", "rglob"): _m_path_glob(True), ("path", "iterdir"): _m_path_iterdir,
    ("path", "with_name"): _m_path_with("name"), ("path", "with_suffix"): _m_path_with("suffix"),
    ("path", "__str__"): lambda ev, o, a, k: path_val(o), ("path", "as_posix"): lambda ev, o, a, k: path_val(o),
    ("file", "read"): _m_file_read, ("file", "readline"): _m_file_readline,
    ("file", "readlines"): _m_file_readlines,
    ("file", "write"): _m_write_data, ("file", "writelines"): _m_write_data, ("file", "fileno"): _m_fileno,
    ("socket", "fileno"): _m_fileno, ("socket", "makefile"): _m_path_same, ("socket", "dup"): _m_path_same,
}

PROPERTIES: dict = {
    ("path", "parent"): _p_parent, ("path", "name"): _p_name, ("path", "stem"): _p_stem,
    ("path", "suffix"): _p_suffix, ("direntry", "path"): _m_direntry_path,
    ("direntry", "name"): lambda ev, o: V.Val(CONST, "*", glob=True),
    ("file", "name"): lambda ev, o: o.value[1].get("path", V.unknown("a name")),
}

GENERIC_METHODS: dict = {
    "read": _m_unknown_read,
}
