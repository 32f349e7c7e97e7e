"""A fixed project, home and environment the analyser tests classify against, and ways to
analyse a shell command, a tool call or a file's code there."""

from __future__ import annotations

from vectimus.analyser import analyse
from vectimus.model import ToolCall
from vectimus.paths import Places


PROJECT = "/home/u/proj"   # not on this machine: paths resolve without symlinks getting in the way
HOME = "/home/u"
ENV = {"HOME": HOME, "TMPDIR": "/tmp", "USER": "u"}


def places(cwd: str = PROJECT) -> Places:
    """The places every analyser test classifies against."""
    return Places(cwd=cwd, project=PROJECT, home=HOME, tmp_dirs=("/tmp", "/var/tmp", "/dev/shm"))


def shell(command: str, shell: str = "bash", cwd: str = PROJECT):
    """Analyse a shell command run in the test project."""
    call = ToolCall(agent="test", tool="Bash", kind="shell", cwd=cwd, project_dir=PROJECT,
                    command=command, shell=shell)
    return analyse(call, places(cwd), ENV)


INLINE = {"ruby": "ruby -e", "perl": "perl -e", "php": "php -r", "lua": "lua -e", "r": "Rscript -e"}


def inline(lang: str, text: str):
    """Analyse ``text`` run as a one-liner of ``lang`` (``ruby -e``, ``php -r``, ``Rscript -e`` …)."""
    import shlex

    return shell(f"{INLINE[lang]} {shlex.quote(text)}")


def deleted(actions) -> list[str]:
    """The paths ``actions`` delete."""
    return [a.target.path for a in actions if a.kind == "file_delete"]


def call(kind: str, tool: str, **fields):
    """Analyse a non-shell tool call."""
    return analyse(ToolCall(agent="test", tool=tool, kind=kind, cwd=PROJECT, project_dir=PROJECT,
                            **fields), places(), ENV)


def code(text: str, lang: str, program: str, script: str):
    """The actions of ``lang`` source ``text`` run by ``program script`` (a whole file's code)."""
    from vectimus.analyser import languages
    from vectimus.analyser.context import Cmd, Scope, Word
    from vectimus.analyser.pipeline import Pipeline

    an = Pipeline(ToolCall(agent="test", tool="Bash", kind="shell", cwd=PROJECT, project_dir=PROJECT,
                           command=f"{program} {script}"), places(), ENV)
    cmd = Cmd((Word(program), Word(script)), f"{program} {script}", Scope(places()))
    languages.analyse_code(an, cmd, lang, Word(text), f"{program} {script}")
    return an.actions


def only_unanalysable(run) -> None:
    """``run()`` returns well-formed actions, or raises Unanalysable with a one-line reason."""
    from vectimus.analyser import Unanalysable
    from vectimus.model import ACTION_KINDS

    try:
        actions = run()
    except Unanalysable as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(a.kind in ACTION_KINDS and isinstance(a.resource, str) for a in actions)


def find(actions, kind, **fields):
    """The actions of ``kind`` whose fields (``path`` is the target path, ``host`` the net host) agree."""
    out = []
    for a in actions:
        if a.kind != kind:
            continue
        ok = True
        for key, value in fields.items():
            got = a.target.path if key == "path" else a.net.host if key == "host" else \
                getattr(a.net, key) if key in ("sends_secret", "sends_data", "scheme", "port") else getattr(a, key)
            ok &= got == value
        if ok:
            out.append(a)
    return out


def dynamic_exec(actions) -> bool:
    return any(a.kind == "exec" and a.dynamic for a in actions)
