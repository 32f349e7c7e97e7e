"""Windows command lines reached from a shell: ``powershell``/``pwsh`` (``-Command``,
``-EncodedCommand``, ``-File``), ``cmd /c`` and ``reg``.

PowerShell code goes to the PowerShell analyser (``an.code("powershell", …)``); ``cmd`` text is
split into its commands, and its built-ins that delete, read or print the environment are mapped
onto the same actions as their PowerShell aliases; registry keys are paths under ``/registry/``.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word

# PowerShell's own parameters: any prefix at least as long as the shortest accepted one, or an alias.
PS_PARAMS = (("command", "c"), ("encodedcommand", "e"), ("file", "f"), ("executionpolicy", "ex"),
             ("windowstyle", "w"), ("inputformat", "in"), ("outputformat", "o"), ("version", "v"),
             ("configurationname", "config"), ("workingdirectory", "wo"), ("settingsfile", "settings"),
             ("custompipename", "cus"), ("psconsolefile", "psc"), ("encodedarguments", "encodeda"),
             ("noprofile", "nop"), ("noninteractive", "noni"), ("nologo", "nol"), ("noexit", "noe"))
PS_ALIASES = {"ec": "encodedcommand", "ep": "executionpolicy", "wd": "workingdirectory", "enc": "encodedcommand"}
PS_TAKES_VALUE = {"executionpolicy", "windowstyle", "inputformat", "outputformat", "version",
                  "configurationname", "workingdirectory", "settingsfile", "custompipename",
                  "psconsolefile", "encodedarguments"}


def _ps_param(text: str) -> str | None:
    """The PowerShell parameter ``text`` names (``-enc`` -> ``encodedcommand``), or None."""
    if not text.startswith(("-", "/")) or len(text) < 2:
        return None
    name = text[1:].lower().partition(":")[0]
    if name in PS_ALIASES:
        return PS_ALIASES[name]
    for full, shortest in PS_PARAMS:
        if full.startswith(name) and name.startswith(shortest):
            return full
    return name


def powershell(an: Analysis, cmd: Cmd, program: str) -> bool:
    """powershell / pwsh: ``-Command`` text (the rest of the line), ``-EncodedCommand`` (base64 of
    UTF-16LE), ``-File`` (a script, read), ``-Command -`` (stdin). True when the code is unknown."""
    from vectimus.analyser.languages.windows_paths import decode

    words = list(cmd.words[1:])
    i = 0
    while i < len(words):
        word = words[i]
        name = _ps_param(word.text) if not word.dynamic else None
        if name == "command":
            rest = words[i + 1:]
            if not rest or rest[0].text == "-":
                return _stdin(an, cmd)
            text = Word(" ".join(w.text for w in rest), any(w.dynamic for w in rest))
            an.code("powershell", text, cmd, f"{program} -Command")
            return text.dynamic
        if name == "encodedcommand":
            value = words[i + 1] if i + 1 < len(words) else Word("", dynamic=True)
            decoded = None if value.dynamic else decode(value.text)
            if decoded is None:
                return True
            an.code("powershell", Word(decoded), cmd, f"{program} -EncodedCommand")
            return False
        if name == "file":
            return _script(an, cmd, program, words[i + 1:])
        if name in PS_TAKES_VALUE:
            i += 2
            continue
        if name is not None:
            i += 1
            continue
        # the first word that is not a parameter: a script file, or (with pwsh) command text
        if word.text.lower().endswith(".ps1") or program.startswith("pwsh"):
            return _script(an, cmd, program, words[i:])
        text = Word(" ".join(w.text for w in words[i:]), any(w.dynamic for w in words[i:]))
        an.code("powershell", text, cmd, f"{program} -Command")
        return text.dynamic
    return _stdin(an, cmd)


def _script(an: Analysis, cmd: Cmd, program: str, words: list[Word]) -> bool:
    """``-File SCRIPT ARGS…``: the script is read and its code analysed as part of the call."""
    if not words:
        return False
    an.file("file_read", words[0], cmd, program=program)
    return runs.run_file(an, cmd, words[0], runner="powershell", args=tuple(words[1:]))


def _stdin(an: Analysis, cmd: Cmd) -> bool:
    if cmd.stdin.text is not None:
        an.code("powershell", Word(cmd.stdin.text), cmd, "powershell <<")
        return False
    return cmd.stdin.kind in ("pipe", "file")


CMD_DELETE = {"del", "erase", "rd", "rmdir"}
CMD_READ = {"type", "more"}


def cmd_exe(an: Analysis, cmd: Cmd, program: str) -> bool:
    """cmd /c TEXT, cmd /k TEXT: each command of TEXT (split on & && || |) runs."""
    words = list(cmd.words[1:])
    for i, word in enumerate(words):
        flag = word.text.lower()
        if flag in ("/c", "/k", "/r"):
            rest = words[i + 1:]
            text = " ".join(w.text for w in rest)
            dynamic = any(w.dynamic for w in rest)
            for part in re.split(r"&&|\|\||&|\|", text):
                _cmd_command(an, cmd, part.strip(), dynamic)
            return dynamic
        if not flag.startswith("/"):
            break
    return cmd.stdin.kind in ("pipe", "file")


def _cmd_command(an: Analysis, cmd: Cmd, text: str, dynamic: bool) -> None:
    from vectimus.analyser.languages.windows_paths import posix

    parts = [p.strip('"') for p in re.findall(r'"[^"]*"|\S+', text)]
    if not parts:
        return
    known = {"userprofile": an.places.home, "homepath": an.places.home, "home": an.places.home,
             "cd": an.target(Word("."), cmd.scope).path}

    def variable(m: re.Match) -> str:  # %USERPROFILE% is the home; other variables are unknown
        nonlocal dynamic
        found = known.get(m.group(1).lower())
        dynamic = dynamic or found is None
        return found if found is not None else m.group(0)
    name = parts[0].lower().removesuffix(".exe")
    args = [re.sub(r"%(\w+)%", variable, p) for p in parts[1:] if not p.startswith("/")]
    switches = {p[1:].lower() for p in parts[1:] if p.startswith("/") and len(p) == 2}
    inner = cmd.with_words([Word(p, dynamic) for p in parts], via=f"{basename_of(cmd)} /c")
    if name in CMD_DELETE:
        flags = ("r",) if "s" in switches else ()
        for arg in args:
            an.file("file_delete", Word(posix(arg), dynamic), inner, flags, program=name)
    elif name in CMD_READ:
        for arg in args:
            an.file("file_read", Word(posix(arg), dynamic), inner, program=name)
    elif name == "set" and not args:
        from vectimus.analyser.languages import record

        record.environment_dump(an, inner, "cmd set")
        return
    elif name == "reg":
        reg(an, inner, "reg")
    else:
        an.dispatch(inner)
        return
    an.dispatch(inner)


def basename_of(cmd: Cmd) -> str:
    return cmd.words[0].text.rpartition("/")[2].lower() if cmd.words else "cmd"


def reg(an: Analysis, cmd: Cmd, program: str) -> None:
    """reg add|delete|import|copy KEY …: registry keys written or deleted (``/registry/<hive>/…``)."""
    from vectimus.analyser.languages.windows_paths import registry_path

    words = [w for w in cmd.words[1:]]
    if len(words) < 2:
        return
    op = words[0].text.lower()
    path = registry_path(words[1].text)
    if path is None:
        return
    key = Word(path, words[1].dynamic)
    if op in ("add", "import", "copy", "restore", "load"):
        value = next((words[j + 1].text for j, w in enumerate(words[:-1]) if w.text.lower() == "/v"), "")
        an.file("file_write", Word(f"{path}/{value}".rstrip("/"), key.dynamic) if value else key, cmd,
                program=program)
    elif op in ("delete", "unload"):
        an.file("file_delete", key, cmd, program=program)
    elif op in ("query", "export", "save"):
        an.file("file_read", key, cmd, program=program)


HANDLERS = {"powershell": powershell, "pwsh": powershell, "powershell.exe": powershell,
            "pwsh.exe": powershell, "cmd": cmd_exe, "cmd.exe": cmd_exe, "reg": reg, "reg.exe": reg}
