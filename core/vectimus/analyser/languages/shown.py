"""What code in a tree-sitter grammar (Ruby, Perl, PHP, Lua), or PowerShell, prints where the agent reads it.

``puts ENV["GITHUB_TOKEN"]``, ``print "t=$ENV{NPM_TOKEN}"``, ``echo getenv("API_KEY")`` and
``print(os.getenv("AWS_SECRET_ACCESS_KEY"))`` show a credential to the agent as the shell's
``echo "$GITHUB_TOKEN"`` does, and are recorded as it is (``record.shown``). The variable's text
counts where it goes: itself, interpolated into a string, concatenated; what only derives from it
(its length, a test of it, a hash) shows nothing. Output redirected by the shell, or printed to
another file handle, is not shown.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Cmd, Word
from vectimus.analyser.facts.secrets import secret_name
from vectimus.analyser.languages import record

MAX_DEPTH = 8
SHOWN_HANDLES = ("STDOUT", "STDERR")  # Perl's print HANDLE …: the others are files


def printed(code, node, args: list, via: str) -> None:
    """``node`` prints ``args`` (``puts``, ``print``, ``echo``): record a credential among them shown."""
    if code.cmd.stdout or not _to_agent(code, node):
        return
    if any(holds_credential(code, arg) for arg in args):
        record.shown(code.an, code.cmd, via)


def holds_credential(code, node, depth: int = 0) -> bool:
    """Whether ``node``'s value holds a credential-named environment variable's text."""
    name = code.env_lookup(node)
    if name is not None:
        return name == "?" or secret_name(name)
    if depth > MAX_DEPTH or code.call(node) is not None:
        return False
    operators = code.CONCAT.get(node.type)
    if operators is not None:
        op = node.child_by_field_name("operator")
        if op is None or op.type not in operators:
            return False
    elif not any(part in node.type for part in ("string", "interpolation", "parenthesized", "sequence")):
        return False
    return any(holds_credential(code, child, depth + 1) for child in node.named_children)


def _to_agent(code, node) -> bool:
    """False for Perl's ``print $fh …`` (a file handle other than STDOUT and STDERR)."""
    handle = next((c for c in node.named_children if c.type == "indirect_object"), None)
    return handle is None or code.node_text(handle).strip() in SHOWN_HANDLES


PS_WRITERS = frozenset(("write-output", "write", "echo", "write-host", "write-information", "write-warning",
                        "write-error", "write-verbose", "write-debug", "out-host", "out-default", "out-string"))
PS_READERS = frozenset(("get-content", "gc", "cat", "type", "get-item", "gi", "get-childitem", "gci", "ls", "dir"))
PS_ASSIGN = frozenset(("=", "+=", "-=", "*=", "/=", "??="))
_PS_VARIABLE = re.compile(r"\$\{?env:(\w+)\}?(?![.\w\[])", re.I)  # (not a property: $env:X.Length)


def powershell(an, words: list, redirects: list, separator: str, scope, via: tuple, depth: int) -> None:
    """A PowerShell statement whose output the agent reads (not redirected, not piped on): a
    credential-named ``$env:NAME`` on its own or in a string, written by ``Write-Output``,
    ``Write-Host``, ``echo``, or read from the ``Env:`` drive (``Get-Content env:GITHUB_TOKEN``)."""
    if redirects or separator == "|" or not words or len(words) > 1 and words[1].text in PS_ASSIGN:
        return
    name = words[0].text.lower()
    if name in PS_READERS:
        names = [w.text[4:] for w in words[1:] if w.text.lower().startswith("env:")]
    elif name in PS_WRITERS or words[0].dynamic or words[0].text[:1] == "$":  # (an expression: its value)
        names = [n for w in (words[1:] if name in PS_WRITERS else words) for n in _PS_VARIABLE.findall(w.text)]
    else:
        return
    if any(secret_name(n) for n in names):
        cmd = Cmd(words=(Word("powershell"),), raw=" ".join(w.text for w in words), scope=scope, via=via, depth=depth)
        record.shown(an, cmd, "powershell output")
