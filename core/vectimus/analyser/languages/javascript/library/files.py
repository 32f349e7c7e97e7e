"""Files and paths: ``fs`` (and ``fs.promises``, fs-extra, rimraf), ``Deno``'s and ``Bun``'s file
calls, ``path``, ``os``."""

from __future__ import annotations

import posixpath

from vectimus.analyser.languages import trees
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.contents import file_text, stdin_text
from vectimus.analyser.languages.folding import entry, fold_str, join, path_val
from vectimus.analyser.languages.javascript.library.arguments import arg, opt, options_after
from vectimus.analyser.languages.values import CONST, OBJ, SECRET, UNKNOWN


def _delete(ev, args, recursive: bool | None = None):
    target = arg(args, 0)
    if target is None:
        return V.NONE
    if recursive is None:
        recursive = bool(V.truthy(opt(options_after(args, 1), "recursive")) is not False
                         and opt(options_after(args, 1), "recursive") is not None)
    ev.fx.file("file_delete", target, ("r",) if recursive else ())
    return V.NONE


def _deleter(recursive: bool | None):
    return lambda ev, args: _delete(ev, args, recursive)


def _write(ev, args):
    target = arg(args, 0)
    if target is not None:
        ev.fx.file("file_write", target)
    data = arg(args, 1)
    if data is not None:
        ev.fx.output(data)
    return V.obj("stream")


def _write_whole(ev, args):
    """A whole file written (``fs.writeFileSync(path, text)``): its known text is what it holds."""
    out = _write(ev, args)
    target, data = arg(args, 0), arg(args, 1)
    if target is not None and data is not None:
        ev.fx.wrote(target, data)
    return out


def _write_only(ev, args):
    target = arg(args, 0)
    if target is not None:
        ev.fx.file("file_write", target)
    return V.NONE


def _symlink(ev, args):
    existing, target = arg(args, 0), arg(args, 1)
    if existing is not None:
        ev.fx.link(existing)
    if target is not None:
        ev.fx.file("file_write", target)
    return V.NONE


def _read(ev, args):
    target = arg(args, 0)
    if target is None:
        return V.unknown("file contents")
    if target.kind == CONST and target.value in (0, "/dev/stdin"):  # fs.readFileSync(0): standard input
        data = stdin_text(ev.an, ev.fx.cmd)
    else:
        secret = ev.fx.file("file_read", target)
        data = V.unknown("file contents", SECRET) if secret else file_text(ev.an, ev.fx.cmd, target)
    for a in args[1:]:
        if a.kind == OBJ and a.value[0] in ("func", "bound"):
            ev.callback(a, [V.NONE, data])
    return data


def _copy(moves: bool, recursive_opt: bool | None = False):
    """A copy or move; ``recursive_opt``: a tree copy when the ``recursive`` option is set (True),
    always (None: fs-extra's copy), never (False)."""
    def handler(ev, args):
        src, dst = arg(args, 0), arg(args, 1)
        recursive = recursive_opt is None or recursive_opt and V.truthy(
            opt(options_after(args, 2), "recursive")) is not False and opt(options_after(args, 2), "recursive") is not None
        if src is not None:
            if moves:
                ev.fx.file("file_delete", src)
            else:
                ev.fx.file("file_read", src)
        if dst is not None:
            ev.fx.file("file_write", dst, ("r",) if recursive else ())
            if recursive and src is not None and not moves:
                trees.copied(ev.fx, src, dst)  # a directory copied into one that exists: its files replaced
        return V.NONE
    return handler


def _readdir(ev, args):
    target = arg(args, 0) or V.const(".")
    return V.Val(UNKNOWN, "names", 0, False, entry()) if target is not None else V.NONE


def _bun_file(ev, args):
    target = arg(args, 0)
    return V.obj("bunfile", target if target is not None else V.unknown("a path"))


def contents(ev, value):
    """What a value gives when it is sent or written: a ``Bun.file(path)`` is read then."""
    if value.kind == OBJ and value.value[0] == "bunfile":
        return _m_bunfile_read(ev, value, [])
    return value


def _bun_write(ev, args):
    """``Bun.write(path or Bun.file(path), data)``: ``fs.writeFile``'s effects."""
    target = arg(args, 0)
    if target is not None and target.kind == OBJ and target.value[0] == "bunfile":
        args = [target.value[1], *args[1:]]
    args = [args[0], *(contents(ev, a) for a in args[1:])] if args else args
    _write(ev, args)
    return V.unknown("a count")


def _path_join(ev, args):
    return join(list(args)) if args else V.const(".")


def _path_fn(fn):
    return lambda ev, args: fold_str(fn, path_val(args[0])) if args else V.unknown("a path")


def _home(ev, args):
    return V.const(ev.an.env.get("HOME") or ev.an.places.home)


def _tmp(ev, args):
    return V.const(ev.an.env.get("TMPDIR") or "/tmp")


def _mkdtemp(ev, args):
    """``fs.mkdtempSync(prefix)``: a new directory named the prefix and six characters (what a later
    ``rmSync`` of it deletes); Deno's ``makeTempDir`` is one in the temp directory."""
    prefix = arg(args, 0)
    if prefix is None:
        return V.Val(CONST, f"{(ev.an.env.get('TMPDIR') or '/tmp').rstrip('/')}/*", glob=True)
    if prefix.kind != CONST or not isinstance(prefix.value, str) or prefix.glob:
        return V.unknown("a temporary directory")
    return V.Val(CONST, prefix.value + "*", prefix.taint, glob=True)


def _m_bunfile_read(ev, owner, args):
    secret = ev.fx.file("file_read", owner.value[1])
    return V.unknown("file contents", SECRET) if secret else file_text(ev.an, ev.fx.cmd, owner.value[1])


def _m_bunfile_write(ev, owner, args):
    ev.fx.file("file_write", owner.value[1])
    if args:
        ev.fx.output(args[0])
    return V.NONE


def _m_bunfile_delete(ev, owner, args):
    ev.fx.file("file_delete", owner.value[1])
    return V.NONE


def _m_stream_write(ev, owner, args):
    if owner.value[1] == "shown":  # process.stdout, process.stderr: what the agent reads
        ev.fx.shown("console", *args)
    else:
        ev.fx.output(*args)
    return V.const(True)


METHODS = {
    ("bunfile", "text"): _m_bunfile_read, ("bunfile", "json"): _m_bunfile_read,
    ("bunfile", "arrayBuffer"): _m_bunfile_read, ("bunfile", "bytes"): _m_bunfile_read,
    ("bunfile", "stream"): _m_bunfile_read, ("bunfile", "write"): _m_bunfile_write,
    ("bunfile", "delete"): _m_bunfile_delete, ("bunfile", "unlink"): _m_bunfile_delete,
    ("stream", "write"): _m_stream_write,
}
CALLS = {
    "fs.rmSync": _deleter(None), "fs.rm": _deleter(None), "fs.rmdirSync": _deleter(None), "fs.rmdir": _deleter(None),
    "fs.unlinkSync": _deleter(False), "fs.unlink": _deleter(False), "fs.remove": _deleter(True),
    "fs.removeSync": _deleter(True), "fs.emptyDir": _deleter(True), "fs.emptyDirSync": _deleter(True),
    "rimraf": _deleter(True), "rimraf.sync": _deleter(True), "rimraf.rimraf": _deleter(True),
    "rimraf.rimrafSync": _deleter(True), "rimraf.deleteSync": _deleter(True), "rimraf.deleteAsync": _deleter(True),
    "Deno.remove": _deleter(None), "Deno.removeSync": _deleter(None),
    "fs.writeFileSync": _write_whole, "fs.writeFile": _write_whole, "fs.appendFileSync": _write,
    "fs.appendFile": _write, "fs.createWriteStream": _write, "fs.outputFile": _write_whole,
    "fs.outputFileSync": _write_whole,
    "fs.mkdirSync": _write_only, "fs.mkdir": _write_only, "fs.chmodSync": _write_only, "fs.chmod": _write_only,
    "fs.chownSync": _write_only, "fs.chown": _write_only, "fs.truncateSync": _write_only, "fs.truncate": _write_only,
    "fs.utimesSync": _write_only, "fs.utimes": _write_only, "fs.mkdirp": _write_only, "fs.ensureDir": _write_only,
    "fs.symlinkSync": _symlink, "fs.symlink": _symlink, "fs.linkSync": _symlink, "fs.link": _symlink,
    "Deno.writeTextFile": _write_whole, "Deno.writeTextFileSync": _write_whole, "Deno.writeFile": _write,
    "Deno.writeFileSync": _write, "Deno.mkdir": _write_only, "Deno.mkdirSync": _write_only,
    "Deno.chmod": _write_only, "Deno.chmodSync": _write_only, "Deno.symlink": _symlink, "Deno.symlinkSync": _symlink,
    "fs.readFileSync": _read, "fs.readFile": _read, "fs.createReadStream": _read, "fs.readJson": _read,
    "fs.readJsonSync": _read, "Deno.readTextFile": _read, "Deno.readTextFileSync": _read,
    "Deno.readFile": _read, "Deno.readFileSync": _read,
    "fs.copyFileSync": _copy(False), "fs.copyFile": _copy(False), "fs.cpSync": _copy(False, True),
    "fs.cp": _copy(False, True), "fs.copy": _copy(False, None), "fs.copySync": _copy(False, None),
    "Deno.copyFile": _copy(False), "Deno.copyFileSync": _copy(False),
    "fs.renameSync": _copy(True), "fs.rename": _copy(True), "fs.move": _copy(True), "fs.moveSync": _copy(True),
    "Deno.rename": _copy(True), "Deno.renameSync": _copy(True),
    "fs.readdirSync": _readdir, "fs.readdir": _readdir, "Bun.file": _bun_file, "Bun.write": _bun_write,
    # paths
    "path.join": _path_join, "path.resolve": _path_join, "path.posix.join": _path_join,
    "path.normalize": _path_fn(posixpath.normpath), "path.dirname": _path_fn(posixpath.dirname),
    "path.basename": _path_fn(posixpath.basename), "os.homedir": _home, "os.tmpdir": _tmp,
    "fs.mkdtempSync": _mkdtemp, "fs.mkdtemp": _mkdtemp, "Deno.makeTempDirSync": _mkdtemp, "Deno.makeTempDir": _mkdtemp,
}
CALLS.update({f"fs.promises.{name[3:]}": handler for name, handler in list(CALLS.items())
              if name.startswith("fs.") and not name.endswith("Sync")})


# Handlers that run the callbacks they are given themselves.
CALLBACKS = {"fs.readFile", "fs.readFileSync"}
