"""Static file servers: they listen, and send every file under the directory they serve to whoever
connects (``python3 -m http.server``, ``php -S … -t DIR``, ``ruby -run -e httpd DIR``, ``http-server``,
``serve``, ``live-server``, ``busybox httpd -h DIR``, ``darkhttpd DIR``). Serving a credential
directory, or one outside the project that holds credential files (the home always), sends secrets
over the network (``net.sends_secret``); serving the project or a build directory is ordinary.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net


def serve(an: Analysis, cmd: Cmd, program: str, folder: Word | None, port: int = 0, host: Word | None = None) -> None:
    """Record a listener serving ``folder`` (the command's directory when None) on ``host:port``."""
    if folder is None:
        folder = Word(cmd.scope.places.cwd, dynamic=cmd.scope.cwd_dynamic)
    target = an.target(folder, cmd.scope)
    project = an.places.project.rstrip("/")
    inside = target.path == project or target.path.startswith(project + "/")
    exposed = not folder.dynamic and (target.is_secret or (
        target.is_dir and not inside and an.holds_secrets(target.path)))
    net.remote(an, cmd, program, host or Word("0.0.0.0"), port=port, scheme="http", listens=True,
               sends_data=exposed, sends_secret=exposed)


def port(word: Word | None) -> int:
    text = word.text.rpartition(":")[2] if word is not None else ""
    return int(text) if text.isdigit() else 0


def python_module(an: Analysis, cmd: Cmd, program: str, args) -> None:
    """``python3 -m http.server [-d DIR] [-b ADDR] [PORT]``."""
    p = argv.parse(list(args), argv.opts("-d --directory -b --bind -p --protocol"))
    number = next((w for w in p.operands if w.text.isdigit()), None)
    serve(an, cmd, program, p.value("d", "directory"), port(number) or 8000, p.value("b", "bind"))


def node_server(an: Analysis, cmd: Cmd, name: str) -> None:
    """``http-server [DIR]``, ``serve [DIR]``, ``live-server [DIR]`` (npm packages, often through npx)."""
    p = argv.parse(cmd.words[1:], argv.opts("-p --port -a --address -l --listen -c -e --ext -P --proxy "
                                            "-S --ssl -C --cert -K --key --host --open --config -u --username "
                                            "--password"))
    folder = next((w for w in p.operands if not w.text.startswith("-")), None)
    serve(an, cmd, name, folder, port(p.value("p", "port", "l", "listen")), p.value("a", "address", "host"))


def httpd(an: Analysis, cmd: Cmd, name: str) -> None:
    """busybox's ``httpd [-p [IP:]PORT] [-h HOME]`` (Apache's ``httpd`` serves its configured root)."""
    if "busybox" not in cmd.via:
        return
    p = argv.parse(cmd.words[1:], argv.opts("-p -h -c -r -u -M -e -d -P"))
    serve(an, cmd, name, p.value("h"), port(p.value("p")) or 80)


def darkhttpd(an: Analysis, cmd: Cmd, name: str) -> None:
    """``darkhttpd DIR [--port N] [--addr IP]``."""
    p = argv.parse(cmd.words[1:], argv.opts("--port --addr --log --chroot --index --mimetypes --uid --gid "
                                            "--pidfile --maxconn --auth --header"))
    if p.operands:
        serve(an, cmd, name, p.operands[0], port(p.value("port")) or 8080, p.value("addr"))


HANDLERS = {"http-server": node_server, "serve": node_server, "live-server": node_server, "httpd": httpd,
            "darkhttpd": darkhttpd}
