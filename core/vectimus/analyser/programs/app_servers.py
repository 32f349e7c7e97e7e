"""Programs that import the project's own code to serve or run it: Python application servers
(``uvicorn main:app``, ``gunicorn app.wsgi:application`` and its ``gunicorn.conf.py``, ``hypercorn``,
``daphne``, ``flask --app x run`` or ``FLASK_APP`` or ``app.py``, ``fastapi dev main.py``, ``celery -A
proj``, each also as ``python -m NAME``) import the module they name, whose top level runs; ``vagrant``
evaluates the ``Vagrantfile`` (Ruby) at every command. The project file is analysed as the code it is.
Standard library only: imported when one of these runs.
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

VALUES = {
    "uvicorn": "--host --port --uds --fd --reload-dir --reload-include --reload-exclude --reload-delay --workers "
               "--loop --http --ws --ws-max-size --ws-max-queue --ws-ping-interval --ws-ping-timeout --lifespan "
               "--interface --env-file --log-config --log-level --root-path --limit-concurrency "
               "--limit-max-requests --backlog --timeout-keep-alive --timeout-graceful-shutdown --ssl-keyfile "
               "--ssl-certfile --ssl-keyfile-password --ssl-version --ssl-cert-reqs --ssl-ca-certs --ssl-ciphers "
               "--header --app-dir --h11-max-incomplete-event-size --forwarded-allow-ips",
    "gunicorn": "-b --bind -w --workers -k --worker-class -c --config -t --timeout --chdir --pythonpath -e --env "
                "--threads --max-requests --max-requests-jitter --graceful-timeout --keep-alive --log-level "
                "--access-logfile --error-logfile --log-config --name -n -p --pid -u --user -g --group -m --umask "
                "--worker-connections --backlog --certfile --keyfile --forwarded-allow-ips --paste",
    "hypercorn": "-b --bind -w --workers -k --worker-class -c --config --root-path --log-level --access-logfile "
                 "--error-logfile --certfile --keyfile --graceful-timeout --keep-alive",
    "daphne": "-b --bind -p --port -u --unix-socket --fd -e --endpoint --access-log --root-path "
              "--proxy-headers-host --proxy-headers-port --websocket_timeout --application-close-timeout",
    "celery": "-A --app -b --broker --result-backend --loader --config --workdir -C",
    "flask": "-A --app -e --env-file",
    "fastapi": "--host --port --app --entrypoint --root-path --proxy-headers",
}
FLASK_DEFAULTS = ("wsgi.py", "app.py")
FASTAPI_DEFAULTS = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``name [options] APP``: the project module the server imports."""
    if name == "vagrant":
        _vagrantfile(an, cmd)
        return
    p = argv.parse(cmd.words[1:], argv.opts(VALUES[name]))
    if p.has("help", "h", "version", "V"):
        return
    root = p.value("app-dir", "chdir", "workdir")
    scope = cmd.moved([root]) if root is not None and not root.dynamic else cmd
    entries: list[Word] = []
    if name == "gunicorn":
        config = p.value("c", "config") or Word("gunicorn.conf.py")
        if not config.dynamic and not config.text.startswith(("python:", "file:")) and config.text.endswith(".py"):
            _file(an, scope, config, f"{name} config")
    if name == "flask":
        from vectimus.analyser.facts import env

        entries = [w for w in (p.value("A", "app") or env.value(cmd, "FLASK_APP"),) if w is not None]
        if not entries:
            for default in FLASK_DEFAULTS:
                if _file(an, scope, Word(default), name):
                    return
            return
    elif name == "fastapi":
        entries = [w for w in p.operands[1:2]]
        if not entries and p.operands[:1] and p.operands[0].text in ("dev", "run"):
            for default in FASTAPI_DEFAULTS:
                if _file(an, scope, Word(default), name):
                    return
            return
    elif name == "celery":
        entries = [w for w in (p.value("A", "app"),) if w is not None]
    else:
        entries = [w for w in p.operands[:1]]
    for entry in entries:
        if entry.dynamic:
            runs.unread(an, cmd, "", f"{name} {entry.text}", runs.agent_wrote_anything(an), "an application named by an unknown value")
            continue
        text = entry.text.split("(", 1)[0]
        if text.endswith(".py") or "/" in text:
            _file(an, scope, Word(text.split(":", 1)[0]), name)
            continue
        from vectimus.analyser.programs.python_scripts import module_file

        base = an.target(Word("."), scope.scope).path
        found = module_file(base, text) or (module_file(base, f"{text}.celery") if name == "celery" else "")
        if found:
            runs.run_file(an, cmd, Word(found), runner="python", label=f"{name} {text}")


def module(an: Analysis, cmd: Cmd, name: str, args) -> None:
    """``python -m uvicorn|gunicorn|… ARGS``: as the server's own command."""
    run(an, cmd.with_words([Word(name), *args], via=f"python -m {name}"), name)


def _file(an: Analysis, cmd: Cmd, word: Word, label: str) -> bool:
    target = an.target(word, cmd.scope)
    if not (target.exists and not target.is_dir or target.path in an.pending):
        return False
    runs.run_file(an, cmd, Word(target.path), runner="python", label=f"{label} {runs.display(an, target.path)}")
    return True


def _vagrantfile(an: Analysis, cmd: Cmd) -> None:
    from vectimus.analyser.facts import env
    from vectimus.analyser.programs.tasks import nearest

    if cmd.words[1:2] and cmd.words[1].text in ("version", "--version", "-v", "help", "--help", "-h", "init", "box",
                                                "plugin", "global-status"):
        return
    name = env.value(cmd, "VAGRANT_VAGRANTFILE")
    path = nearest(an, cmd, (name.text,) if name is not None and not name.dynamic else ("Vagrantfile",))
    if path:
        runs.run_file(an, cmd, Word(path), runner="ruby", label=f"vagrant {runs.display(an, path)}")


HANDLERS = {name: run for name in (*VALUES, "vagrant")}
