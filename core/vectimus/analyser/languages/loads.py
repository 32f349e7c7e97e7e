"""Files that code in another language loads and runs: Ruby's ``load``/``require``/``require_relative``,
Perl's ``require``, PHP's ``include``/``require``, Lua's ``dofile``/``loadfile``/``require``, R's
``source``, awk's ``@include``. A file the agent wrote or changed in this session is read and
analysed as part of the call, whatever its name ends in (``load "notes.txt"`` runs Ruby); code
loaded from a URL, or from a path chosen at run time once the agent has written files, is code
nobody can read here. The repository's own files and installed
libraries are not followed, as ``python/imports`` and ``javascript/requires`` do not follow them.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import os

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.languages import record
from vectimus import world

MAX_FOLLOWED = 32  # files one call follows this way


def follow(an: Analysis, cmd: Cmd, lang: str, spec: Word, via: str, *, suffixes: tuple[str, ...] = ("",),
           dirs: tuple[str, ...] = ()) -> None:
    """Analyse the agent's file that loading ``spec`` runs: tried in ``dirs`` (default: the script's
    directory, else the working directory) with each of ``suffixes`` appended, as the language does."""
    if spec.dynamic:  # a file chosen at run time: unknown code once the agent has written any file
        if runs.agent_wrote_anything(an):
            record.evaluate(an, cmd, lang, spec, via)
        return
    if not spec.text:
        return
    if net.is_url(spec.text) or spec.text.startswith(("data:", "php://", "phar://")):
        net.remote(an, cmd, record.program(cmd), spec)
        record.evaluate(an, cmd, lang, Word(spec.text, dynamic=True), via)  # downloaded code
        return
    if not runs.agent_wrote_anything(an):
        return
    followed = an.memo.setdefault("loads followed", set())
    for base in (dirs or (base_dir(an, cmd),)) if not os.path.isabs(spec.text) else ("/",):
        for suffix in suffixes:
            path = an.target(Word(os.path.join(base, spec.text) + suffix), cmd.scope).path
            if path in an.pending or world.isfile(path):
                if path not in followed and len(followed) < MAX_FOLLOWED and runs.by_agent(an, path):
                    followed.add(path)
                    runs.run_file(an, cmd, Word(path), runner=lang,
                                  label=f"{via} {spec.text} ({runs.display(an, path)})")
                return


def base_dir(an: Analysis, cmd: Cmd) -> str:
    """The directory of the script ``cmd`` runs (the first operand naming a file), else its
    working directory: where a relative load is looked up first."""
    here = an.target(Word("."), cmd.scope).path
    for word in cmd.words[1:]:
        if word.dynamic or word.text.startswith("-") or "/" not in word.text and "." not in word.text:
            continue
        path = an.target(word, cmd.scope).path
        if path in an.pending or world.isfile(path):
            return os.path.dirname(path)
        break
    return here


def include_dirs(an: Analysis, cmd: Cmd, flag: str) -> tuple[str, ...]:
    """The directories given with ``-I DIR`` / ``-IDIR`` (Ruby, Perl), resolved."""
    out: list[str] = []
    words = cmd.words[1:]
    for i, word in enumerate(words):
        text = word.text
        if word.dynamic or not text.startswith(flag):
            continue
        value = text[len(flag):] or (words[i + 1].text if i + 1 < len(words) else "")
        if value:
            out.append(an.target(Word(value), cmd.scope).path)
    return tuple(out)


# options that load a library before the code, among the interpreter's options that take a value
PRELOAD_FLAGS = {"perl": (("M", "m"), "-e -E -M -m -I"), "ruby": (("r",), "-e -r -I -C -E"), "lua": (("l",), "-e -l")}


def preloads(an: Analysis, cmd: Cmd, lang: str) -> None:
    """The libraries ``cmd``'s options load before its code (``perl -MFoo``, ``ruby -r./x``, ``lua -l x``)."""
    found = PRELOAD_FLAGS.get(lang)
    if found is None or not cmd.words or not any(w.text.startswith("-") for w in cmd.words[1:]):
        return
    flags, spec = found
    for name, word in argv.parse(cmd.words[1:], argv.opts(spec), stop_at_operand=True).values:
        if name in flags:
            preload(an, cmd, lang, word)


def preload(an: Analysis, cmd: Cmd, lang: str, word: Word) -> None:
    """A library an interpreter option loads before the code (``perl -MFoo``, ``ruby -r./x``,
    ``lua -l x``): the agent's file it names is analysed."""
    if word.dynamic:
        return
    here = an.target(Word("."), cmd.scope).path
    if lang == "perl":
        name = word.text.lstrip("-").partition("=")[0].split()[0] if word.text.strip("-") else ""
        if name and include_dirs(an, cmd, "-I"):
            follow(an, cmd, lang, Word(name.replace("::", "/") + ".pm"), "perl -M", dirs=include_dirs(an, cmd, "-I"))
    elif lang == "ruby":
        relative = word.text.startswith(("./", "../", "/"))
        follow(an, cmd, lang, word, "ruby -r", suffixes=(".rb", ""),
               dirs=(here,) if relative else include_dirs(an, cmd, "-I"))
    elif lang == "lua":
        follow(an, cmd, lang, Word(word.text.replace(".", "/")), "lua -l", suffixes=(".lua", "/init.lua"), dirs=(here,))
