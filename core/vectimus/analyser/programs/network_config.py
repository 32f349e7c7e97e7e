"""The options curl and wget take from files and commands besides their command line: curl's
config files (``-K FILE``, ``~/.curlrc`` unless ``-q`` comes first) and wget's startup files
(``--config FILE``, ``WGETRC``, ``~/.wgetrc``) and ``-e`` commands, as the command-line options
they stand for, so ``upload-file = ".env"`` in a file curl reads uploads ``.env`` as ``-T .env`` does.

Standard library only: used when a call runs curl or wget.
"""

from __future__ import annotations

import os

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus import world


def curl_words(an: Analysis, cmd: Cmd) -> list[Word]:
    """curl's arguments with its config files' options first (``~/.curlrc``, then each ``-K``)."""
    words = list(cmd.words[1:])
    extra: list[Word] = []
    if not (words and words[0].text in ("-q", "--disable")):
        home = _home(an, cmd)
        folder = _knob(an, cmd, "CURL_HOME")
        for path in ([os.path.join(folder.text, ".curlrc")] if folder is not None and not folder.dynamic else []) \
                + [os.path.join(home, ".curlrc")]:
            if world.isfile(path):
                extra += _curl_file(an, path)
                break
    for i, word in enumerate(words[:-1]):
        if word.text in ("-K", "--config") and not words[i + 1].dynamic:
            extra += _curl_file(an, an.resolve(words[i + 1], cmd.scope))
    for word in words:
        if word.text.startswith("--config="):
            extra += _curl_file(an, an.resolve(Word(word.text.partition("=")[2]), cmd.scope))
    return extra + words


def _curl_file(an: Analysis, path: str) -> list[Word]:
    text, _ = runs.read(an, path)
    out: list[Word] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, value = _split(line.lstrip("-"))
        out.append(Word(("--" if len(name) > 1 else "-") + name))
        if value:
            out.append(Word(value))
    return out


def _split(line: str) -> tuple[str, str]:
    """``name = "value"``, ``name: value``, ``name value`` -> (name, value unquoted)."""
    end = next((i for i, c in enumerate(line) if c in " \t=:"), len(line))
    name, rest = line[:end], line[end:].strip()
    if rest[:1] in ("=", ":"):
        rest = rest[1:].strip()
    if len(rest) > 1 and rest[0] == '"' and rest.endswith('"'):
        rest = rest[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name, rest


def wget_words(an: Analysis, cmd: Cmd) -> list[Word]:
    """wget's arguments with the options its startup file and ``-e`` commands set."""
    words = list(cmd.words[1:])
    extra: list[Word] = []
    given = next((words[i + 1] for i, w in enumerate(words[:-1]) if w.text == "--config"), None) or next(
        (Word(w.text.partition("=")[2], w.dynamic) for w in words if w.text.startswith("--config=")), None)
    knob = _knob(an, cmd, "WGETRC")
    if given is None and not any(w.text == "--no-config" for w in words):
        given = knob if knob is not None else Word(os.path.join(_home(an, cmd), ".wgetrc"))
    if given is not None and not given.dynamic:
        text, _ = runs.read(an, an.resolve(given, cmd.scope))
        extra += [_wget_option(line) for line in (text or "").splitlines() if _wget_command(line)]
    for i, word in enumerate(words):
        command = words[i + 1].text if word.text in ("-e", "--execute") and i + 1 < len(words) else \
            word.text.partition("=")[2] if word.text.startswith("--execute=") else \
            word.text[2:] if word.text.startswith("-e") and len(word.text) > 2 else ""
        if _wget_command(command):
            extra.append(_wget_option(command))
    return extra + words


def _wget_command(line: str) -> bool:
    line = line.strip()
    return bool(line) and not line.startswith("#") and "=" in line


# wgetrc command names ignore case, "_" and "-" (``postfile``, ``post_file``): the options they set
WGETRC_OPTIONS = {name.replace("-", ""): name for name in (
    "post-file", "post-data", "body-file", "body-data", "method", "header", "input-file", "output-document",
    "user", "password", "http-password", "load-cookies", "save-cookies", "directory-prefix", "execute")}
WGETRC_OPTIONS.update({"input": "input-file", "dirprefix": "directory-prefix", "httppasswd": "http-password",
                       "httpuser": "user", "loadcookies": "load-cookies"})


def _wget_option(line: str) -> Word:
    """A wgetrc command (``post_file = .env``) as its option (``--post-file=.env``)."""
    name, _, value = line.strip().partition("=")
    key = name.strip().replace("_", "").replace("-", "").lower()
    return Word(f"--{WGETRC_OPTIONS.get(key, key)}={value.strip()}")


def _knob(an: Analysis, cmd: Cmd, name: str) -> Word | None:
    """``name`` as the command sets it, or as the agent's shell has it."""
    word = env.value(cmd, name)
    return word if word is not None else Word(an.env[name]) if an.env.get(name) else None


def _home(an: Analysis, cmd: Cmd) -> str:
    home = _knob(an, cmd, "HOME")
    return home.text if home is not None and not home.dynamic else cmd.scope.places.home
