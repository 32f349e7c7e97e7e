"""The program a git setting or variable names for one of git's jobs, when it is an ordinary program
used the ordinary way: ssh choosing a key, a user or a port (``core.sshCommand``,
``GIT_SSH_COMMAND='ssh -i ~/.ssh/id_work'``), a pager with display options (``core.pager 'less -FRX'``),
an editor (``core.editor 'code --wait'``). Such a value runs that program and nothing else, so it
is not other code git is made to run. Anything more (shell syntax, another program, ssh's
``ProxyCommand`` or ``-F`` file, less's ``+!`` commands, an editor's ``-c``) is not plain.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import shlex

PAGERS = frozenset(("less", "more", "most", "cat", "delta", "diff-so-fancy"))
EDITORS = frozenset(("vim", "vi", "nvim", "nano", "emacs", "emacsclient", "code", "code-insiders", "cursor",
                     "subl", "micro", "hx", "kak", "gedit", "mate", "zed", "true", ":"))
EDITOR_FLAGS = frozenset(("--wait", "-w", "--new-window", "-n", "--reuse-window", "-r", "-f", "--nofork"))
SSH_FLAGS = frozenset(("-4", "-6", "-q", "-v", "-vv", "-vvv", "-T", "-C"))
SSH_VALUES = ("-i", "-p", "-l")
# ssh -o options that pick a key, a user, a port or how the host key is checked, and nothing that runs
SSH_OPTIONS = frozenset(("identityfile", "identitiesonly", "stricthostkeychecking", "userknownhostsfile",
                         "port", "user", "batchmode", "connecttimeout", "serveraliveinterval",
                         "serveralivecountmax", "loglevel", "preferredauthentications", "pubkeyauthentication",
                         "passwordauthentication", "compression", "addkeystoagent", "hostkeyalgorithms",
                         "pubkeyacceptedkeytypes", "pubkeyacceptedalgorithms"))
NAMED = frozenset(("core.sshcommand", "git_ssh_command", "core.pager", "core.editor", "sequence.editor"))
_SHELL = frozenset("$`;|&<>(){}\n\\")


def plain(key: str, value: str) -> bool:
    """Whether ``value``, set for the setting or variable ``key``, runs only an ordinary program."""
    if not value.strip() or _SHELL.intersection(value):
        return False
    try:
        words = shlex.split(value)
    except ValueError:
        return False
    program, args = words[0].rpartition("/")[2], words[1:]
    if "/" in words[0] and not words[0].startswith(("/usr/bin/", "/bin/", "/usr/local/bin/", "/opt/homebrew/bin/")):
        return False
    key = key.lower()
    if key in ("core.sshcommand", "git_ssh_command"):
        return program == "ssh" and _ssh(args)
    if key == "core.pager":
        return program in PAGERS and all(a.startswith("-") and "pager" not in a for a in args)
    return program in EDITORS and all(a in EDITOR_FLAGS for a in args)


def _ssh(args: list[str]) -> bool:
    """ssh's options that only choose a key, a user, a port or how much it says."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in SSH_FLAGS:
            i += 1
        elif arg in SSH_VALUES or arg == "-o":
            if i + 1 >= len(args) or (arg == "-o" and not _ssh_option(args[i + 1])):
                return False
            i += 2
        elif arg.startswith(SSH_VALUES) and len(arg) > 2:  # -p2222, -i~/.ssh/k
            i += 1
        elif arg.startswith("-o") and _ssh_option(arg[2:]):
            i += 1
        else:
            return False
    return True


def _ssh_option(text: str) -> bool:
    name = text.replace("=", " ").split(" ", 1)[0].strip().lower()
    return name in SSH_OPTIONS
