"""Programs found through ``PATH``, and code that environment knobs make a program load.

``find_program`` is the file a bare name runs when a directory that is not a system one comes
first in the command's ``PATH``, or when the agent wrote it in a directory the running tool puts
first (``Scope.bins``); ``program`` analyses a program named by path; ``loaded`` analyses
what ``LD_PRELOAD``, ``NODE_OPTIONS``, ``PYTHONSTARTUP`` or a ``sitecustomize`` on ``PYTHONPATH``
load. The files are read and analysed by ``runs.run_file``.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import posixpath
import stat

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus.analyser import runs
from vectimus.analyser.runs import interpreter_language, run_file
from vectimus import world

# Names bash runs itself whatever PATH says.
BUILTINS = frozenset((
    "cd", "echo", "printf", "test", "[", "true", "false", "pwd", "export", "set", "unset", "read", "eval",
    "source", ".", "exec", "command", "type", "hash", "alias", "unalias", "shift", "return", "exit",
    "break", "continue", "local", "declare", "typeset", "readonly", "let", "trap", "wait", "kill",
    "jobs", "fg", "bg", "umask", "ulimit", "getopts", "times", "shopt", "enable", "help", "history",
    "builtin", "caller", "compgen", "complete", "dirs", "popd", "pushd", "disown", "mapfile",
    "readarray", "time", ":",
))


def find_program(an: Analysis, cmd: Cmd, name: str) -> str:
    """The file a bare program name runs when a directory that is not a system one comes first in
    the command's ``PATH`` (``PATH="$PWD/bin:$PATH" git``, an agent's ``~/.local/bin``), or ""."""
    if name in BUILTINS or "/" in name or "\x00" in name:
        return ""
    for folder in search_dirs(an, cmd):
        candidate = folder.rstrip("/") + "/" + name
        mode = _mode(candidate)
        if mode & 0o111 or (mode and _agents(an, cmd, candidate)):  # the agent's may be made executable first
            return candidate
    for folder in cmd.scope.bins:  # an installed package's program there is not the agent's code
        candidate = folder.rstrip("/") + "/" + name
        if (candidate in an.pending or _mode(candidate)) and _agents(an, cmd, candidate):
            return candidate
    return ""


def _agents(an: Analysis, cmd: Cmd, path: str) -> bool:
    """Whether the agent wrote ``path`` (or the file it links to) in this call or its session."""
    return runs.by_agent(an, path) or runs.by_agent(an, an.target(Word(path), cmd.scope).path)


def node_bins(an: Analysis, folder: str) -> tuple[str, ...]:
    """The ``node_modules/.bin`` directories an npm-family tool puts first on PATH for what it runs
    from ``folder``: that folder's and each parent's, up to the project root."""
    out = []
    project = an.places.project.rstrip("/")
    for _ in range(32):
        out.append(f"{folder.rstrip('/')}/node_modules/.bin")
        if folder.rstrip("/") == project or not folder.startswith(project + "/"):
            break
        folder = posixpath.dirname(folder.rstrip("/"))
    return tuple(out)


def venv_bins(an: Analysis, cmd: Cmd) -> tuple[str, ...]:
    """The bin directory of the project's virtual environment (``.venv`` in the command's directory
    or a parent up to the project root), which ``uv run``/``poetry run``/… put first on PATH."""
    if cmd.scope.cwd_dynamic:
        return ()
    folder = cmd.scope.places.cwd.rstrip("/")
    project = an.places.project.rstrip("/")
    for _ in range(32):
        if world.isdir(f"{folder}/.venv/bin"):
            return (f"{folder}/.venv/bin",)
        if folder == project or not folder.startswith(project + "/"):
            return ()
        folder = posixpath.dirname(folder)
    return ()


def _mode(path: str) -> int:
    """The permission bits of the regular file at ``path`` with 0o1000 set, or 0 when there is none."""
    try:
        found = world.mode(path)
    except ValueError:
        return 0
    return (found & 0o777) | 0o1000 if found is not None and stat.S_ISREG(found) else 0


def search_dirs(an: Analysis, cmd: Cmd) -> list[str]:
    """The leading directories of the command's ``PATH`` that are neither system nor Vectimus's own
    (of each value it may hold, when a conditional set it several ways)."""
    scope = cmd.scope
    if not cmd.env and "PATH" not in scope.vars and "PATH" not in scope.choices:  # the common case, at once
        return _inherited(an, cmd)
    if "PATH" in cmd.scope.choices and not any(k == "PATH" for k, _ in cmd.env):
        out: list[str] = []
        for word in cmd.scope.choices["PATH"]:
            out += [d for d in _dirs(an, cmd, word) if d not in out]
        return out
    return _dirs(an, cmd, env.value(cmd, "PATH"))


def _dirs(an: Analysis, cmd: Cmd, word: Word | None) -> list[str]:
    if word is None:
        return _inherited(an, cmd)
    dirs = env.path_dirs(cmd, word)
    if "$PATH" in word.text or "${PATH}" in word.text:
        dirs += _inherited(an, cmd)
    return dirs


def _inherited(an: Analysis, cmd: Cmd) -> list[str]:
    """``search_dirs`` of the agent's own PATH (computed once per call and directory)."""
    key = ("PATH", cmd.scope.places.cwd)
    if key not in an.memo:
        an.memo[key] = env.path_dirs(cmd, Word(an.env.get("PATH", "")))
    return an.memo[key]


def program(an: Analysis, cmd: Cmd) -> None:
    """The program ``cmd`` names by path (``./x``, ``bin/git``), when it is not a system one: its code."""
    path = cmd.program_path
    if cmd.words and cmd.words[0].glob:  # `./ev*.sh`: the file the pattern matches runs
        run_file(an, cmd, cmd.words[0], args=tuple(cmd.words[1:]))
        return
    target = an.target(Word(path), cmd.scope)
    if target.is_system or target.is_dir or not (target.exists or target.path in an.pending or an.unseen_writes):
        return
    run_file(an, cmd, Word(path), args=tuple(cmd.words[1:]))
    if target.name == "manage.py":  # (Django's: the settings and apps it imports)
        from vectimus.analyser.programs import migrations

        migrations.django_project(an, cmd, target.path, tuple(cmd.words[1:]))


def loaded(an: Analysis, cmd: Cmd, name: str) -> None:
    """Code the command's environment makes it load: preloaded libraries, ``NODE_OPTIONS --require``,
    a ``sitecustomize`` on ``PYTHONPATH``, ``PYTHONSTARTUP``."""
    if not cmd.env and not cmd.scope.vars:
        return
    names = set(cmd.scope.vars)  # (a make recipe's shell knows the Makefile's variables: none of these, mostly)
    names.update(key for key, _ in cmd.env)
    if names.isdisjoint(_KNOBS) and (not cmd.scope.choices or cmd.scope.choices.keys().isdisjoint(LOAD_PATHS)) \
            and not (interpreter_language(name) == "python" and any(w.text.startswith("-W") for w in cmd.words[1:])):
        return
    for knob in ("LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES"):
        word = env.value(cmd, knob)
        if word is None:
            continue
        for lib in word.text.replace(":", " ").split():
            run_file(an, cmd, Word(lib, word.dynamic), runner="native", label=f"{knob}={lib}")
    lang = interpreter_language(name)
    if any(env.value(cmd, knob) is not None or knob in cmd.scope.choices for knob in LOAD_PATHS) or (lang == "python" and any(
            w.text.startswith("-W") for w in cmd.words[1:])):
        from vectimus.analyser import load_paths  # only when a command sets one

        load_paths.run(an, cmd, lang)
    options = env.value(cmd, "NODE_OPTIONS")
    if options is not None and (lang == "node" or name in ("npm", "npx", "yarn", "pnpm")):
        words = options.text.split()
        for flag, value in zip(words, words[1:] + [""]):
            key, eq, inline = flag.partition("=")
            if key in ("-r", "--require", "--import", "--loader", "--experimental-loader"):
                module = inline if eq else value
                if module.startswith(("./", "../", "/")):
                    run_file(an, cmd, Word(module, options.dynamic), runner="node", label=f"NODE_OPTIONS {module}")
    if lang == "python":
        startup = env.value(cmd, "PYTHONSTARTUP")
        if startup is not None:
            run_file(an, cmd, startup, runner="python", label=f"PYTHONSTARTUP={startup.text}")
        pythonpath = env.value(cmd, "PYTHONPATH")
        folders = pythonpath.text.split(":") if pythonpath is not None else []
        for folder in folders:
            for hook in ("sitecustomize.py", "usercustomize.py"):
                dynamic = pythonpath is not None and pythonpath.dynamic
                run_file(an, cmd, Word(posixpath.join(folder or ".", hook), dynamic), runner="python")
    if lang == "ruby":
        rubyopt = env.value(cmd, "RUBYOPT") or Word("")
        rubylib = env.value(cmd, "RUBYLIB")  # `RUBYLIB=. RUBYOPT=-rx`: x.rb found there
        folders = rubylib.text.split(":") if rubylib is not None and not rubylib.dynamic else []
        for flag in rubyopt.text.split():
            library = flag[2:] if flag.startswith("-r") else ""
            path = library if library.endswith(".rb") else library + ".rb"
            if library.startswith(("./", "../", "/")):
                run_file(an, cmd, Word(path, rubyopt.dynamic), runner="ruby", label=f"RUBYOPT {flag}")
            for folder in folders if library and not library.startswith(("./", "../", "/")) else ():
                found = an.target(Word(posixpath.join(folder or ".", path)), cmd.scope).path
                if found in an.pending or world.isfile(found):
                    run_file(an, cmd, Word(found), runner="ruby", label=f"RUBYOPT {flag}")
                    break
    if lang == "perl":
        _perl5opt(an, cmd)
        debugger = env.value(cmd, "PERL5DB")  # `perl -d` runs PERL5DB's Perl code as its debugger
        if debugger is not None and any(w.text.startswith("-d") and not w.text.startswith("-d:")
                                        for w in cmd.words[1:]):
            an.code("perl", debugger, cmd, "PERL5DB")
    elif lang == "python":  # `python3 -m webbrowser URL` / `-m pydoc`: the module's knobs
        texts = [w.text for w in cmd.words[1:3]]
        name = texts[1] if texts[:1] == ["-m"] and len(texts) > 1 else name
    for knob, programs in COMMAND_KNOBS.items():
        word = env.value(cmd, knob)
        if word is not None and name in programs and (word.text.strip("|") or word.dynamic):
            operand = next((w.text for w in cmd.words[1:] if not w.text.startswith("-")), "")
            for text in word.text.split(":") if knob in LISTS else (word.text,):
                if knob == "LESS":  # `+!CMD` among less's options: a command less runs as it starts
                    text = text.partition("+!")[2]
                    if not text.strip():
                        continue
                elif knob in LISTS and "%s" not in text:
                    text += " %s"  # the URL is the browser's last argument
                text = text.lstrip("|").replace("%s", operand or "file")
                an.shell(Word(text, word.dynamic), cmd, f"{knob}={word.text}")
    for knob in JVM_KNOBS:
        word = env.value(cmd, knob)
        if word is not None:
            from vectimus.analyser import jvm  # only when a JVM option variable is set

            jvm.variable(an, cmd, knob, word)


def _perl5opt(an: Analysis, cmd: Cmd) -> None:
    """``PERL5OPT=-MFoo`` loads module Foo before the code, from ``PERL5LIB`` and ``-I`` directories."""
    options = env.value(cmd, "PERL5OPT")
    if options is None or options.dynamic:
        return
    lib = env.value(cmd, "PERL5LIB") or env.value(cmd, "PERLLIB")
    folders = [*(lib.text.split(":") if lib is not None and not lib.dynamic else []),
               *(o[2:] for o in options.text.split() if o.startswith("-I") and len(o) > 2)]
    for option in options.text.split():
        module = option[2:].partition("=")[0] if option.startswith(("-M", "-m")) else ""
        for folder in folders if module else ():
            path = an.target(Word(posixpath.join(folder or ".", module.replace("::", "/") + ".pm")), cmd.scope).path
            if path in an.pending or world.isfile(path):
                run_file(an, cmd, Word(path), runner="perl", label=f"PERL5OPT {option}")
                break


# Environment variables holding a command a program runs, and the programs that run it (git's
# editor and pager are read by ``programs.githooks``; the pager runs when output is a terminal).
SYSTEMD = ("systemctl", "journalctl", "loginctl", "machinectl", "hostnamectl", "timedatectl", "localectl",
           "networkctl", "resolvectl", "busctl", "coredumpctl", "bootctl", "homectl", "portablectl",
           "systemd-analyze", "systemd-cgls", "userdbctl", "oomctl")
# Programs that open a file in the user's editor (``crontab -e``, ``kubectl edit``, ``systemctl edit``).
EDITS = ("fc", "crontab", "kubectl", "oc", "systemctl", "sudoedit", "visudo", "vipw", "vigr", "gh", "virsh", "hg",
         "svn", "edquota")
# Programs that run a command, or a session, with the user's $SHELL (``script -c``, ``flock -c``, vim's ``!``)
SHELL_USERS = ("script", "flock", "parallel", "sem", "vim", "vi", "nvim", "ex", "view", "tmux", "screen", "xterm",
               "less", "more", "emacs", "sudo", "su", "mc", "expect", "newgrp", "nix-shell")
BROWSERS = ("xdg-open", "sensible-browser", "x-www-browser", "www-browser", "gh", "webbrowser")
COMMAND_KNOBS = {
    "LESSOPEN": ("less", "more", "man", "zless", "lesspipe"), "LESSCLOSE": ("less", "more", "man", "zless"),
    "MANPAGER": ("man", "pydoc", "pydoc3"), "SYSTEMD_PAGER": SYSTEMD, "PSQL_PAGER": ("psql",),
    "GH_PAGER": ("gh",), "PAGER": ("man", "pydoc", "pydoc3", "psql", "mysql", "mariadb", "gh", *SYSTEMD),
    "PROMPT_COMMAND": ("bash",), "FCEDIT": ("fc",), "EDITOR": EDITS, "VISUAL": EDITS, "BROWSER": BROWSERS,
    "GH_BROWSER": ("gh",), "GH_EDITOR": ("gh",), "KUBE_EDITOR": ("kubectl", "oc"), "SYSTEMD_EDITOR": ("systemctl",),
    "SUDO_EDITOR": ("sudoedit", "sudo"), "LESS": ("less", "more", "man", "git", "psql", "gh", *SYSTEMD),
    "SSH_ASKPASS": ("ssh", "scp", "sftp", "ssh-add", "rsync", "git", "sudo"),  # asked for a passphrase
    "SHELL": SHELL_USERS,
}
LISTS = ("BROWSER",)  # a colon-separated list of commands, each tried in turn with the URL
# Variables naming where a program finds code to load (``analyser.load_paths``).
LOAD_PATHS = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "DYLD_FRAMEWORK_PATH", "GCONV_PATH", "NODE_PATH", "PYTHONHOME",
              "PYTHONBREAKPOINT", "PYTHONWARNINGS")
# Variables holding JVM options (``analyser.jvm``): read by every JVM, java's launcher, or passed on
# by the launch scripts of Java tools.
JVM_KNOBS = ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS", "MAVEN_OPTS", "GRADLE_OPTS")
# Every variable ``loaded`` reads: a command that sets none of them loads nothing through it
_KNOBS = frozenset(("LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES", "NODE_OPTIONS", "PYTHONSTARTUP", "PYTHONPATH",
                    "RUBYOPT", "RUBYLIB", "PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB", *LOAD_PATHS, *COMMAND_KNOBS,
                    *JVM_KNOBS))


def local_bin(an: Analysis, cmd: Cmd, name: str, args) -> bool:
    """Run ``name`` as the program an npm-family tool finds in ``node_modules/.bin`` (``Scope.bins``),
    when the agent wrote it there; True when it did."""
    found = find_program(an, cmd, name) if cmd.scope.bins and "/" not in name else ""
    if not found or not any(found.startswith(d + "/") for d in cmd.scope.bins):
        return False
    an.dispatch(cmd.with_words([Word(name), *args]))
    return True


def exec_bin(an: Analysis, cmd: Cmd, words) -> None:
    """``npx NAME``, ``npm exec -- NAME``, ``pnpm exec NAME``, ``yarn exec NAME``, ``bunx NAME``: the
    project's installed program of that name runs (read when the agent wrote it)."""
    words = [w for w in words if w.text != "--"]
    if words and not words[0].dynamic and not words[0].text.startswith("-"):
        scoped = cmd._replace(scope=cmd.scope.with_bins(node_bins(an, cmd.scope.places.cwd)))
        local_bin(an, scoped, words[0].text, words[1:])
