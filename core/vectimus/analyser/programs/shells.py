"""Shells and shell builtins that run code or print the environment: ``bash -c``, scripts and code
on stdin, ``eval``, ``source``, and ``env``/``printenv``/``export -p`` dumps.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus.analyser.programs import files

SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash", "tcsh", "csh"}

SHELL_VALUE = argv.opts("-o -O +O +o --rcfile --init-file")


def shell(an: Analysis, cmd: Cmd, name: str) -> bool:
    """bash/sh/zsh …: ``-c`` text, a script, or code on stdin (a heredoc, a here-string, a pipe)."""
    p = argv.parse(cmd.words[1:], SHELL_VALUE, stop_at_operand=True)
    startup(an, cmd, name)
    rcfile = p.value("rcfile", "init-file")  # read first by an interactive bash (`bash --rcfile x -i`)
    if rcfile is not None:
        runs.run_file(an, cmd, rcfile, runner="shell", label=f"--rcfile {rcfile.text}")
    if p.has("n", "noexec") or "noexec" in [w.text for w in p.all("o")]:
        return False  # `bash -n x.sh` checks the syntax: nothing runs
    if p.has("c") and p.operands:
        code = p.operands[0]
        # the -c text inherits the shell's stdin: `curl … | sh -c sh` runs what was downloaded
        an.shell(code, cmd, f"{name} -c", positional=tuple(p.operands[1:]) or None, stdin=cmd.stdin)
        return code.dynamic
    script = p.operands[0] if p.operands and not p.has("s") else None
    if script is not None and script.text.startswith(("/dev/fd/", "/proc/")) and script.text not in runs.STDIN_FILES:
        return True  # a descriptor opened elsewhere (`exec 3< x; bash /dev/fd/3`): code not read here
    if script is not None and script.text not in runs.STDIN_FILES:  # else `bash /dev/stdin < x` reads its input
        an.file("file_read", script, cmd, program=name)
        runs.run_file(an, cmd, script, runner="shell", args=tuple(p.operands[1:]))
        return script.dynamic  # bash <(curl …)
    if cmd.stdin.text is not None:
        an.shell(Word(cmd.stdin.text), cmd, f"{name} <<" if cmd.stdin.kind == "text" else f"{name} <|")
        return False
    if cmd.stdin.kind == "file" and cmd.stdin.path:  # sh < setup.sh: the file is the script
        return runs.run_file(an, cmd, Word(cmd.stdin.path), runner="shell")
    return cmd.stdin.kind in ("pipe", "file")


def startup(an: Analysis, cmd: Cmd, name: str) -> None:
    """The file a shell reads first when the command's environment names one (``BASH_ENV``, ``ENV``;
    zsh's ``.zshenv`` in a ``ZDOTDIR`` or ``HOME`` the command sets)."""
    for knob in ("BASH_ENV", "ENV") if name != "fish" else ():
        word = env.value(cmd, knob)
        if word is not None:
            runs.run_file(an, cmd, word, runner="shell", label=f"{knob}={word.text}")
    if name in ("bash", "sh"):
        _trace(an, cmd)
    folder = (env.value(cmd, "ZDOTDIR") or env.value(cmd, "HOME")) if name == "zsh" else None
    if folder is not None:
        runs.run_file(an, cmd, Word(folder.text.rstrip("/") + "/.zshenv", folder.dynamic), runner="shell",
                      label=f"{folder.text}/.zshenv")


def _trace(an: Analysis, cmd: Cmd) -> None:
    """``-x`` (``set -x``, ``bash -x``, ``set -o xtrace``) with a ``PS4`` that substitutes a command:
    bash expands it, as a double-quoted word, before every command it traces."""
    texts = [w.text for w in cmd.words[1:]]
    trace = env.value(cmd, "PS4")
    if trace is not None and ("$(" in trace.text or "`" in trace.text) and (
            any(t.startswith("-") and not t.startswith("--") and "x" in t for t in texts) or "xtrace" in texts):
        an.shell(Word(': "' + trace.text.replace("\\", "\\\\").replace('"', '\\"') + '"', trace.dynamic), cmd, "PS4")


def eval_(an: Analysis, cmd: Cmd, name: str) -> bool:
    """eval: its arguments, joined, are shell code run in the current shell (a tool's own setup
    output, ``eval "$(pyenv init -)"``, is that tool's: ``shell_setup``; escaped words that only
    set the positional parameters are known code: ``eval_words``)."""
    args = cmd.words[1:]
    if len(args) == 1 and args[0].dynamic:
        from vectimus.analyser.programs import shell_setup

        if shell_setup.prints_setup(an, cmd, args[0]):
            return False
    an.shell(Word(" ".join(w.text for w in args), any(w.dynamic for w in args)), cmd, "eval",
             scope=cmd.scope)
    if not any(w.dynamic for w in args):
        return False
    from vectimus.analyser.programs import eval_words

    return not eval_words.only_sets_positional(an, args)


def source(an: Analysis, cmd: Cmd, name: str) -> bool:
    """source / .: runs a file's code; unknown when the file is (``source <(curl …)``); the text
    on its stdin for ``/dev/stdin``."""
    files.read(an, cmd, name)
    if cmd.words[1:2] and cmd.words[1].text in runs.STDIN_FILES:
        if cmd.stdin.text is not None:
            an.shell(Word(cmd.stdin.text), cmd, f"{name} /dev/stdin", scope=cmd.scope)
            return False
        return cmd.stdin.kind in ("pipe", "file")
    if cmd.words[1:2]:
        runs.run_file(an, cmd, cmd.words[1], runner="shell", args=cmd.words[2:], sourced=True)
    return bool(cmd.words[1:2]) and cmd.words[1].dynamic


def _dumps_env(name: str, args) -> bool:
    texts = [w.text for w in args]
    if name == "printenv":
        return True
    if name in ("env", "set"):
        return not texts or all(t.startswith("-") for t in texts)
    if name == "compgen":
        return "-v" in texts or "-e" in texts
    return not texts or texts in (["-p"], ["-x"], ["-px"], ["-xp"])


def environment(an: Analysis, cmd: Cmd, name: str) -> None:
    """env / printenv / set / export -p …: printing the environment taints what it feeds; ``set -x``
    with a ``PS4`` that substitutes runs it before every later command."""
    if _dumps_env(name, cmd.words[1:]):
        an.secret_reads += 1
    if name == "set":
        _trace(an, cmd)


def alias(an: Analysis, cmd: Cmd, name: str) -> None:
    """alias NAME=TEXT: TEXT runs wherever NAME is typed later (``expand_aliases``, an interactive
    shell, a later line): it is analysed now, as a function's body is where it is defined."""
    for word in cmd.words[1:]:
        key, eq, text = word.text.partition("=")
        if eq and text.strip():
            an.shell(Word(text, word.dynamic), cmd, f"alias {key}")


def trap(an: Analysis, cmd: Cmd, name: str) -> None:
    """trap TEXT SIGNAL…: TEXT runs in this shell when it gets the signal or exits (``traps``)."""
    p = argv.parse(cmd.words[1:], frozenset(), stop_at_operand=True)
    if p.has("l", "p") or len(p.operands) < 2 or p.operands[0].text in ("-", ""):
        return
    from vectimus.analyser import traps

    traps.register(an, cmd, p.operands[0])


def hash_(an: Analysis, cmd: Cmd, name: str) -> None:
    """hash -p PATH NAME: NAME runs the file PATH from now on."""
    p = argv.parse(cmd.words[1:], argv.opts("-p"))
    path = p.value("p")
    if path is not None:
        runs.run_file(an, cmd, path, args=())


def enable(an: Analysis, cmd: Cmd, name: str) -> None:
    """enable -f FILE NAME: bash loads the shared object FILE as a builtin, its code runs in the shell."""
    p = argv.parse(cmd.words[1:], argv.opts("-f"))
    for path in p.all("f"):
        runs.run_file(an, cmd, path, runner="native", label=f"enable -f {path.text}")


HANDLERS = {**dict.fromkeys(SHELLS, shell), "eval": eval_, "source": source, ".": source,
            "alias": alias, "trap": trap, "hash": hash_, "enable": enable,
            **dict.fromkeys(("printenv", "env", "set", "export", "declare", "typeset", "compgen"),
                            environment)}
