"""The analyser's stages wired together: the concrete ``Analysis`` every tool call is analysed with.

Shell text is parsed (``parse``) and walked (``walk``), each simple command is dispatched to the
handler of its program (``dispatch`` → ``peel`` → ``programs``), and code is analysed in its
language (``languages``). Stages reach each other only through these methods, so the modules form
a tree: this one imports the stages, they import ``context`` and the helpers below it.
Standard library only: used on the hot path (each stage is imported when a call first needs it).
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Input, Scope, Word


class Pipeline(Analysis):
    """An analysis whose recursion runs the analyser's own stages."""

    def shell(self, text: Word, cmd: Cmd, via: str, *, positional: tuple[Word, ...] | None = None,
              scope: Scope | None = None, stdin: Input = Input()) -> None:
        walk = _STAGES.get("walk") or _stage("walk")
        if scope is None:  # a new shell: the command's environment assignments are its variables
            variables = cmd.scope.environment()  # (a new dict)
            if cmd.env:
                variables.update(cmd.env)
            scope = Scope(cmd.scope.places, variables, cmd.scope.cwd_dynamic, positional)
            scope.bins = cmd.scope.bins  # a shell started from a tool inherits the PATH it set
        walk.analyse_text(text.text, self, scope, (*cmd.via, via), cmd.depth + 1, stdin)

    def dispatch(self, cmd: Cmd) -> None:
        dispatch = _STAGES.get("dispatch") or _stage("dispatch")
        dispatch.dispatch(cmd, self)

    def code(self, lang: str, code: Word, cmd: Cmd, via: str) -> None:
        from vectimus.analyser import languages

        languages.analyse_code(self, cmd, lang, code, via)


# The stage modules a call has needed so far, by name: the methods above run once per command, and
# a dict lookup costs less than a function-level ``from … import`` (no import lock is taken: a stage
# is here only once it is fully imported).
_STAGES: dict = {}


def _stage(name: str):
    """The stage module ``name`` (``walk``, ``dispatch``), imported the first time a call needs it."""
    import importlib

    module = _STAGES[name] = importlib.import_module(f"vectimus.analyser.{name}")
    return module
