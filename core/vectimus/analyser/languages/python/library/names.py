"""How library names are spelled (module aliases, the shell-running calls) and how a call's
arguments are read.
"""

from __future__ import annotations

from vectimus.analyser.languages.values import Val

ALIASES = {"posixpath": "os.path", "ntpath": "os.path", "posix": "os", "nt": "os", "__builtin__": "builtins",
           "__builtins__": "builtins", "__loader__": "importlib.machinery.BuiltinImporter",
           "commands": "subprocess", "urllib2": "urllib.request", "_io": "io", "pathlib.PosixPath": "pathlib.Path",
           "pathlib.WindowsPath": "pathlib.Path", "pathlib.PurePath": "pathlib.Path",
           "pathlib.PurePosixPath": "pathlib.Path", "_posixsubprocess": "subprocess"}


_ALIAS_HEADS = {alias.partition(".")[0] for alias in ALIASES} | {"builtins"}


RISKY_MODULES = {"os", "subprocess", "builtins", "pty", "shutil", "importlib", "ctypes", "socket", "pathlib"}


SHELL_CALLS = {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "subprocess.getoutput",
               "subprocess.getstatusoutput", "asyncio.create_subprocess_shell", "platform.popen"}


def canonical(name: str) -> str:
    """``posixpath.join`` -> ``os.path.join``, ``builtins.open`` -> ``open``."""
    if name.partition(".")[0] not in _ALIAS_HEADS:
        return name
    for alias, real in ALIASES.items():
        if name == alias or name.startswith(alias + "."):
            name = real + name[len(alias):]
            break
    if name.startswith("builtins."):
        name = name[len("builtins."):]
    return name


def arg(args: list[Val], kwargs: dict[str, Val], index: int, *names: str) -> Val | None:
    """Argument ``index`` or the keyword ``names``; None when not given."""
    if index is not None and 0 <= index < len(args):
        return args[index]
    for n in names:
        if n in kwargs:
            return kwargs[n]
    return None




# -- tables ----------------------------------------------------------------------------------------

CALLS: dict = {

}

METHODS: dict = {

}
