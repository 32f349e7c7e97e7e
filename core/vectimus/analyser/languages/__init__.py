"""Code in other languages, analysed into the same actions as shell commands.

``analyse_code`` checks the limits every language shares and hands the code to the analyser of its
language; each analyser records exec, file and network actions on the analysis and runs the shell
text and argv it finds through ``Analysis.shell`` / ``Analysis.dispatch``.
Standard library only: used on the hot path (an analyser is imported when its language first runs).
"""

from __future__ import annotations

from vectimus.analyser.context import MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Cmd, Unanalysable, Word


def analyse_code(an: Analysis, cmd: Cmd, lang: str, code: Word, via: str) -> None:
    """Record the actions of ``lang`` source ``code`` run by ``cmd``; ``via`` says how it runs."""
    if len(code.text) > MAX_COMMAND_BYTES:
        raise Unanalysable(f"{lang} code longer than {MAX_COMMAND_BYTES} bytes")
    if cmd.depth + 1 > MAX_DEPTH:
        raise Unanalysable(f"code nested more than {MAX_DEPTH} levels deep")
    inner = cmd.with_words(cmd.words, via=via, depth=cmd.depth + 1)
    if lang == "python":
        from vectimus.analyser.languages import python as analyser
    elif lang in ("node", "javascript", "typescript"):
        from vectimus.analyser.languages import javascript as analyser
    else:
        from vectimus.analyser.languages import patterns as analyser
    analyser.analyse(an, inner, lang, code)
