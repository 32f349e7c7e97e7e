"""Redirect targets: files read and written, and ``/dev/tcp`` sockets (reverse shells).

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import DESCRIPTOR, Analysis, Cmd, Input, Word
from vectimus.analyser.facts.net import net_facts

NOT_FILES = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "-", "/dev/zero",
             "/dev/random", "/dev/urandom", "/dev/full"}
READ_OPS = ("<",)
WRITE_OPS: tuple[str, ...] = (">", ">>", ">|", "&>", "&>>", ">&")


def file_redirect(an: Analysis, cmd: Cmd, op: str, word: Word) -> Input | None:
    """Record what a ``<``/``>``-style redirect to ``word`` does; return the stdin it gives."""
    text = word.text
    if not word.dynamic and (text in NOT_FILES or DESCRIPTOR.fullmatch(text)):  # not /dev/fd/../../x
        return None
    if text.startswith(("/dev/tcp/", "/dev/udp/")):
        parts = text.split("/")
        host = parts[3] if len(parts) > 3 else ""
        port = int(parts[4]) if len(parts) > 4 and parts[4].isdigit() else 0
        writes = op != "<"
        facts = net_facts(host, scheme=parts[2], port=port, sends_data=writes,
                          sends_secret=writes and cmd.stdin.secret)
        an.network(facts, cmd, program=_program(cmd), dynamic=word.dynamic)
        return Input("pipe") if not writes else None
    if op in READ_OPS or op in ("<>", "<&"):
        read = an.file("file_read", word, cmd, program=_program(cmd))
        if op == "<>":
            an.file("file_write", word, cmd, program=_program(cmd))
        return Input("file", secret=read.is_secret, path="" if word.dynamic else text)
    if op in WRITE_OPS or op.endswith(">"):
        an.file("file_write", word, cmd, ("a",) if op.endswith(">>") else (), program=_program(cmd))
    return None


def _program(cmd: Cmd) -> str:
    return cmd.words[0].text.rpartition("/")[2] if cmd.words else ""
