"""Recording what code in any language does as the shell analyser's actions.

A language analyser finds a call and hands it here: shell text it runs (``system "…"`` is
``sh -c "…"``), an argv it runs, code it evaluates, the environment it dumps, files and sockets.
Values the code computes at run time are ``Word(…, dynamic=True)``; inside shell text they are
spelled ``context.UNKNOWN``, a variable the shell analyser cannot resolve, so ``rm -rf #{dir}``
becomes a delete of an unknown path rather than of ``#{dir}``.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import time

from vectimus.analyser.context import MAX_PARSE_SECONDS, UNKNOWN, Analysis, Cmd, Input, Unanalysable, Word, basename
from vectimus.analyser.facts import net
from vectimus.model import Action, ActionKind

SHELLS = frozenset(("sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash",
                    "tcsh", "csh", "cmd", "cmd.exe", "powershell", "pwsh", "powershell.exe", "iex",
                    "invoke-expression"))


WIRED = "socket to a shell"  # the via of a socket's shell end (vectimus-codexec-002 tests for it)


def budget(an: Analysis, lang: str) -> None:
    """Unanalysable once the call's CPU parse budget is spent (tokenizers call this as they go)."""
    if time.thread_time() > an.parse_deadline:
        raise Unanalysable(f"{lang} code too complex to analyse in {MAX_PARSE_SECONDS:g} s of CPU time")


def program(cmd: Cmd) -> str:
    """The interpreter running the code (``ruby``, ``awk``), for the actions it performs."""
    return basename(cmd.words[0].text).lower() if cmd.words else ""


def join(parts: list[Word]) -> Word:
    """Concatenate values: dynamic, glob or secret when any part is."""
    return Word("".join(p.text for p in parts), any(p.dynamic for p in parts),
                any(p.glob for p in parts), any(p.secret for p in parts))


def temporary(an: Analysis, made: bool = True) -> Word:
    """The temporary directory (``$TMPDIR`` or ``/tmp``), or, ``made``, a new directory in it
    (``t.TempDir()``, ``tempfile::tempdir()``): a pattern, as its name is chosen at run time."""
    base = (an.env.get("TMPDIR") or "/tmp").rstrip("/") or "/tmp"
    return Word(f"{base}/tmp*", glob=True) if made else Word(base)


def file(an: Analysis, cmd: Cmd, kind: ActionKind, word: Word, flags: tuple[str, ...] = ()) -> str:
    """A file the code reads, writes or deletes by name (its resolved path). Only shells expand
    ``~``: to code, ``~/x`` is a directory named ``~`` in the working directory."""
    if word.text.startswith("~") and not word.dynamic:
        word = word._replace(text="./" + word.text)
    return an.file(kind, word, cmd, flags, program=program(cmd)).path


def write_text(an: Analysis, cmd: Cmd, path: Word, text: Word) -> None:
    """The code writes ``text`` to ``path`` (``File.write``, ``file_put_contents``): when both are
    known, what the file will run later is judged now, as a shell's ``printf … > x.sh`` is."""
    resolved = file(an, cmd, "file_write", path)
    if not path.dynamic and not text.dynamic and resolved:
        from vectimus.analyser import writes  # imported when code writes known text

        writes.written(an, cmd, resolved, text.text)


# programs that, given no command or script of their own, run the code they read on stdin
STDIN_RUNNERS = frozenset(("sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "python", "python3", "node",
                           "ruby", "perl", "php", "lua", "pwsh", "powershell", "tclsh"))
STDIN_OPTIONS = frozenset(("-s", "-i", "-l", "--login", "-", "--norc", "--noprofile", "-e", "-x", "-u"))


def reads_code(words: list[str]) -> bool:
    """Whether ``words`` start a shell or interpreter with no command or script of its own
    (``sh``, ``bash -s``, ``python3``): it runs whatever the code writes to its input."""
    return bool(words) and basename(words[0]).lower() in STDIN_RUNNERS and all(w in STDIN_OPTIONS for w in words[1:])


def fed(words: list[str], stdin: Input) -> Input:
    """The input of a program the code starts: a pipe the code writes when the program runs the
    code it reads (``IO.popen("sh", "w")``, ``spawn("sh")``), so what it runs is unknown."""
    return Input("pipe") if not stdin.kind and reads_code(words) else stdin


# How a run-time value that carries no shell syntax (``Shellwords.escape(x)``, ``intval($x)``) is
# spelled in text handed to the shell: one quoted word the shell analyser cannot resolve.
INERT = '"${__inert__}"'


def inert() -> Word:
    """A value known only at run time that cannot change what a shell command runs."""
    return Word(INERT, dynamic=True)


def shell(an: Analysis, cmd: Cmd, text: Word, via: str, stdin: Input = Input()) -> None:
    """``text`` runs as ``sh -c text`` (``system``, backticks, ``popen``): text with a run-time
    part (``UNKNOWN``, which may hold any shell syntax) is code nobody can read, as ``sh -c "$X"``
    is; quoted words and numbers (``INERT``) are only unknown arguments."""
    if text.dynamic and INERT in text.text and UNKNOWN not in text.text:
        text = text._replace(dynamic=False)
    stdin = fed(text.text.split(), stdin) if not text.dynamic else stdin
    an.dispatch(cmd.with_words([Word("sh"), Word("-c"), text], via=via, stdin=stdin))


def argv(an: Analysis, cmd: Cmd, words: list[Word], via: str) -> None:
    """``words`` run as a program and its arguments (``system("rm", "-rf", x)``)."""
    words = [w for w in words if w.text or w.dynamic]
    if words:
        stdin = fed([w.text for w in words], cmd.stdin) if not any(w.dynamic for w in words) else cmd.stdin
        an.dispatch(cmd.with_words(words, via=via, stdin=stdin))


def evaluate(an: Analysis, cmd: Cmd, lang: str, code: Word, via: str) -> None:
    """Code the code evaluates (``eval``, ``load``): analysed when known, else dynamic."""
    if code.dynamic:
        prog = program(cmd)
        an.add(Action(kind="exec", resource=prog, program=prog, via=(*cmd.via, via), raw=cmd.raw,
                      dynamic=True))
    else:
        an.code(lang, code, cmd, via)


ENVIRON = "/proc/self/environ"  # the whole environment, as a path the secret policies know


def environment_dump(an: Analysis, cmd: Cmd, via: str) -> None:
    """The code takes the whole environment (``ENV.to_h``, ``%ENV``, ``getenv()``, ``Env:``): a read
    of every token in it, recorded as a read of ``/proc/self/environ`` (a secret), which also taints
    what the code sends."""
    an.file("file_read", Word(ENVIRON), cmd._replace(via=(*cmd.via, via)), program=program(cmd))


def shown(an: Analysis, cmd: Cmd, via: str) -> None:
    """The code prints a credential from the environment where the agent reads it: an exec of the
    program whose secrets say "environment", as ``echo "$GITHUB_TOKEN"``'s exec does."""
    prog = program(cmd)
    an.add(Action(kind="exec", resource=prog, program=prog, secrets=("environment",), via=(*cmd.via, via),
                  raw=cmd.raw))


def socket(an: Analysis, cmd: Cmd, host: Word, port: int = 0, scheme: str = "tcp",
           listens: bool = False) -> None:
    """A raw socket to ``host`` (or listening on ``port``)."""
    if listens:
        net.remote(an, cmd, program(cmd), Word("0.0.0.0"), port=port, scheme=scheme, listens=True)
    else:
        net.remote(an, cmd, program(cmd), host, port=port, scheme=scheme)


def wire_sockets(an: Analysis, start: int, cmd: Cmd) -> None:
    """Sockets the code opened, wired to a shell: when the code (from action ``start`` on) both
    opens a raw socket and starts an interactive shell or runs commands it does not know, the
    shell talks to that peer. Recorded as the shell's own network action, as
    ``bash -i >& /dev/tcp/…`` is, so the reverse-shell policy applies in every language."""
    found = an.actions[start:]
    sockets = [a for a in found if a.kind == "network" and a.net.scheme in ("tcp", "udp")]
    if not sockets:
        return
    shells = [a for a in found if a.kind == "exec" and (
        (a.program in SHELLS and not a.args and "c" not in a.flags) or
        (a.dynamic and a.program in SHELLS))]
    if not shells:
        return
    for sock in sockets:
        an.add(sock._replace(program=shells[0].program, via=(*sock.via, WIRED)))
