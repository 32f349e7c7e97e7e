"""Code in other languages, analysed into the same actions as shell commands.

``analyse_code`` checks the limits every language shares and hands the code to the analyser of its
language, ``languages.<module>.analyse(an, cmd, lang, code)``; each analyser records exec, file
and network actions on the analysis and runs the shell text and argv it finds through
``Analysis.shell`` / ``Analysis.dispatch`` (``record`` has the shared spellings of both).
Standard library only: used on the hot path (an analyser is imported when its language first runs).
"""

from __future__ import annotations

import importlib

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Cmd, Unanalysable, Word

# language -> the module of this package that analyses it
ANALYSERS = {"python": "python", "node": "javascript", "javascript": "javascript",
             "typescript": "javascript", "ruby": "ruby", "perl": "perl",
             "php": "php", "awk": "awk", "sed": "sed",
             "powershell": "powershell", "lua": "lua", "r": "rlang",
             "go": "golang", "rust": "rust"}


def analyse_code(an: Analysis, cmd: Cmd, lang: str, code: Word, via: str) -> None:
    """Record the actions of ``lang`` source ``code`` run by ``cmd``; ``via`` says how it runs."""
    if len(code.text) > MAX_COMMAND_BYTES:
        raise Unanalysable(f"{lang} code longer than {MAX_COMMAND_BYTES} bytes")
    if cmd.depth + 1 > MAX_DEPTH:
        raise Unanalysable(f"code nested more than {MAX_DEPTH} levels deep")
    inner = cmd.with_words(cmd.words, via=via, depth=cmd.depth + 1)
    name = ANALYSERS.get(lang)
    if name is None:
        raise Unanalysable(f"no analyser for {lang} code")
    module = importlib.import_module(f"vectimus.analyser.languages.{name}")
    module.analyse(an, inner, lang, code)


def supported(lang: str) -> bool:
    """Whether ``analyse_code`` has an analyser for ``lang`` (a file in another language is unread)."""
    return lang in ANALYSERS
