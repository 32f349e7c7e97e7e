"""File-transfer clients that take their commands as arguments: lftp (``-e``/``-c`` commands, ``-f``
script), smbclient (``-c``) and tftp (``-c put …``). A local file their ``put``-like commands name is
read and sent to the host they connect to (``lftp -e 'put .env' host`` uploads ``.env``).

Standard library only: imported when a call runs one of them.
"""

from __future__ import annotations

import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts.net import remote

PUTS = frozenset(("put", "mput", "reput", "append", "send"))
LFTP_VALUE = argv.opts("-e -c -f -u --user -p --port --password -d --debug")


def client(an: Analysis, cmd: Cmd, program: str) -> None:
    """What lftp, smbclient or tftp connect to and the local files they upload."""
    if program == "tftp":
        words = [w.text for w in cmd.words[1:]]
        at = words.index("-c") if "-c" in words else len(words)
        hosts = [w for w in cmd.words[1:at + 1] if not w.text.startswith("-") and not w.text.isdigit()][:1]
        commands = [" ".join(words[at + 1:])] if at < len(words) else []
        _send(an, cmd, program, hosts, commands, "", port=69)  # (not web-004's tftp:// URL scheme)
        return
    p = argv.parse(cmd.words[1:], LFTP_VALUE if program == "lftp" else argv.opts(
        "-c --command -U --user -A --authentication-file -W --workgroup -p --port -I --ip-address -D --directory"))
    commands = [w.text for name, w in p.values if name in ("e", "c", "command")]
    script = p.value("f") if program == "lftp" else None
    if script is not None:
        text, _ = runs.read(an, an.resolve(script, cmd.scope))
        commands.append(text or "")
    if cmd.stdin.text is not None:
        commands.append(cmd.stdin.text)
    hosts = [Word(w.text.lstrip("/").split("/", 1)[0], w.dynamic) if program == "smbclient" else w
             for w in p.operands[:1]]
    _send(an, cmd, program, hosts, commands, "smb" if program == "smbclient" else "ftp")


def _send(an: Analysis, cmd: Cmd, program: str, hosts: list[Word], commands: list[str], scheme: str,
          port: int = 0) -> None:
    secret = sends = False
    for text in commands:
        for line in text.replace(";", "\n").splitlines():
            words = _words(line)
            if words[:1] == ["open"] and len(words) > 1:
                hosts.append(Word(words[-1]))
            elif words[0] in PUTS or words[0] == "mirror" and ("-R" in words or "--reverse" in words):
                sends = True
                local = [w for w in words[1:] if not w.startswith("-")]
                for name in local[:1] if words[0] in ("put", "reput", "append", "send") else local:
                    secret |= an.file("file_read", Word(name), cmd, program=program).is_secret
    for host in hosts:
        remote(an, cmd, program, host, scheme=scheme, port=port, sends_data=sends, sends_secret=secret)


def _words(line: str) -> list[str]:
    """A client command's words, quoted as a shell quotes (split on blanks when unbalanced)."""
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


HANDLERS = {"lftp": client, "smbclient": client, "tftp": client}
