"""Trees Python code lands in a directory: ``shutil.copytree`` into an existing directory,
``tarfile`` / ``zipfile`` archives and ``shutil.unpack_archive`` extracted (``languages.trees``)."""

from __future__ import annotations

from vectimus.analyser.languages import trees
from vectimus.analyser.languages import values as V
from vectimus.analyser.languages.python.library.names import arg


def _copytree(ev, args, kwargs):
    src, dst = arg(args, kwargs, 0, "src"), arg(args, kwargs, 1, "dst")
    if src is not None:
        ev.fx.file("file_read", src)
    if dst is not None:
        ev.fx.file("file_write", dst, ("r",))
        if src is not None and V.truthy(arg(args, kwargs, 6, "dirs_exist_ok")) is not False:
            trees.copied(ev.fx, src, dst)  # into a directory that exists: its files are replaced
    return dst if dst is not None else V.NONE


def _archive(zipped: bool):
    def handler(ev, args, kwargs):
        name = arg(args, kwargs, 0, "name", "file") or arg(args, kwargs, 2, "fileobj")
        if name is not None and name.kind == V.OBJ and V.type_name(name) != "path":
            # an open file is the archive at its path; any other object (BytesIO, a stream) is unknown
            name = (name.value[1] or {}).get("path") if V.type_name(name) == "file" else None
        if name is not None:
            ev.fx.file("file_read", name)
        return V.obj("archive", {"path": name, "zipped": zipped})
    return handler


def _unpack_archive(ev, args, kwargs):
    name = arg(args, kwargs, 0, "filename")
    if name is not None:
        ev.fx.file("file_read", name)
    trees.unpacked(ev.fx, name, arg(args, kwargs, 1, "extract_dir"), zipped=False)
    return V.NONE


def _m_extractall(ev, owner, args, kwargs):
    data = owner.value[1] or {}
    trees.unpacked(ev.fx, data.get("path"), arg(args, kwargs, 0, "path"), data.get("zipped", False))
    return V.NONE


def _m_extract(ev, owner, args, kwargs):
    data = owner.value[1] or {}
    trees.unpacked(ev.fx, data.get("path"), arg(args, kwargs, 1, "path"), data.get("zipped", False),
                   wanted=arg(args, kwargs, 0, "member"))
    return V.NONE


CALLS: dict = {
    "shutil.copytree": _copytree, "shutil.unpack_archive": _unpack_archive,
    "tarfile.open": _archive(False), "tarfile.TarFile": _archive(False), "tarfile.TarFile.open": _archive(False),
    "zipfile.ZipFile": _archive(True), "zipfile.PyZipFile": _archive(True),
}

METHODS: dict = {
    ("archive", "extractall"): _m_extractall, ("archive", "extract"): _m_extract,
}
