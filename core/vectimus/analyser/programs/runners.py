"""Programs that run commands given to them as text: terminal multiplexers (tmux, screen), the
``at`` queue, and expect scripts.

tmux and screen run a new window's command through the shell, and ``send-keys`` / ``stuff`` type
text into a shell that is already running: both are shell text here. ``at``/``batch`` run what
they read on stdin (or ``-f FILE``) later, in a shell.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

TMUX_GLOBAL = argv.opts("-L -S -f -c -T")
TMUX_VALUE = argv.opts("-t -s -n -c -x -y -e -F -l -S -w -b -N -X -p")
TMUX_RUNS = {"new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane",
             "respawnp", "respawn-window", "respawnw", "run-shell", "run", "if-shell", "if",
             "pipe-pane", "pipep", "display-popup", "popup"}
TMUX_TYPES = {"send-keys", "send"}
# send-keys key names that end a line, and those that type nothing a shell would run
ENTER_KEYS = {"enter", "c-m", "kpenter", "c-j"}


def tmux(an: Analysis, cmd: Cmd, program: str) -> None:
    """tmux: a new session/window/pane's command and ``run-shell`` are shell text; so are the keys
    ``send-keys`` types (``Enter`` ends a line). Commands may be chained with ``;``."""
    g = argv.parse(cmd.words[1:], TMUX_GLOBAL, stop_at_operand=True)
    command = g.value("c") if g.has("c") else None
    if command is not None:
        an.shell(command, cmd, "tmux -c")
    for words in _split(g.operands, ";"):
        if not words:
            continue
        sub = words[0].text
        p = argv.parse(words[1:], TMUX_VALUE, stop_at_operand=sub not in TMUX_TYPES)
        if sub in TMUX_RUNS and p.operands:
            if len(p.operands) == 1 or sub in ("if-shell", "if", "run-shell", "run"):
                an.shell(p.operands[0], cmd, f"tmux {sub}")
            else:  # several words: tmux runs them as an argv
                an.dispatch(cmd.with_words(p.operands, via=f"tmux {sub}"))
        elif sub in TMUX_TYPES:
            typed = _typed(p.operands, literal=p.has("l"))
            if typed.text.strip():
                an.shell(typed, cmd, f"tmux {sub}")


def _split(words, sep: str) -> list[list[Word]]:
    out: list[list[Word]] = [[]]
    for word in words:
        if word.text == sep or word.text == "\\" + sep:
            out.append([])
        elif word.text.endswith(sep) and not word.dynamic and len(word.text) > 1:
            out[-1].append(Word(word.text[:-1], word.dynamic, word.glob, word.secret))
            out.append([])
        else:
            out[-1].append(word)
    return out


def _typed(keys, literal: bool) -> Word:
    """The text a series of send-keys arguments types (key names become what they type)."""
    parts = []
    for key in keys:
        name = key.text.lower()
        if not literal and name in ENTER_KEYS:
            parts.append("\n")
        elif not literal and (name in ("space",) or name == "c-i" or name == "tab"):
            parts.append(" ")
        elif not literal and re.fullmatch(r"(?:[cms]-)+.|f\d+|escape|bspace|btab|up|down|left|right|"
                                          r"home|end|[np]page|ic|dc", name):
            parts.append("\n")  # a control key: what follows is a new command line
        else:
            parts.append(key.text)
    return Word("".join(parts), any(k.dynamic for k in keys))


SCREEN_VALUE = argv.opts("-S -c -e -h -p -s -t -T -Logfile")


def screen(an: Analysis, cmd: Cmd, program: str) -> None:
    """screen: a command to start (``screen -dmS name cmd …``) and text typed by ``-X stuff``."""
    words = list(cmd.words[1:])
    i = 0
    while i < len(words) and words[i].text.startswith("-") and not words[i].dynamic:
        cluster = words[i].text[1:]
        i += 1
        if cluster in ("ls", "list", "wipe", "version") or set(cluster) & set("rRxv"):
            return  # attaching to or listing sessions starts nothing
        for j, ch in enumerate(cluster):
            if ch == "X":
                _screen_command(an, cmd, words[i:])
                return
            if "-" + ch in SCREEN_VALUE:
                if j + 1 == len(cluster):
                    i += 1  # the value is the next word
                break
    if i < len(words):
        an.dispatch(cmd.with_words(words[i:], via=program))


def _screen_command(an: Analysis, cmd: Cmd, rest: list[Word]) -> None:
    """``screen -X stuff TEXT`` types into the session; ``-X exec``/``-X screen`` start a program."""
    if rest and rest[0].text == "stuff" and len(rest) > 1:
        an.shell(Word(_screen_text(" ".join(w.text for w in rest[1:])), any(w.dynamic for w in rest[1:])),
                 cmd, "screen stuff")
    elif rest and rest[0].text in ("exec", "screen"):
        an.dispatch(cmd.with_words([w for w in rest[1:] if not w.text.startswith(("!", "."))],
                                   via=f"screen -X {rest[0].text}"))


def _screen_text(text: str) -> str:
    """``stuff`` strings: ``^M``/``\\n``/``\\r`` end a line."""
    return re.sub(r"\^M|\^J|\\n|\\r|\\015|\\012", "\n", text)


def at(an: Analysis, cmd: Cmd, program: str) -> None:
    """at / batch: the job is stdin (a heredoc, a here-string, text piped in) or ``-f FILE``."""
    p = argv.parse(cmd.words[1:], argv.opts("-q -f -t"))
    if p.has("l", "d", "r", "c"):
        return
    for word in p.all("f"):
        an.file("file_read", word, cmd, program=program)
    if not p.all("f") and cmd.stdin.text is not None:
        an.shell(Word(cmd.stdin.text, secret=cmd.stdin.secret), cmd, program)


EXPECT_RUNS = re.compile(r"^\s*(spawn|exec|system)\s+(.*)$")
EXPECT_SENDS = re.compile(r"^\s*(?:send|exp_send)\s+(?:-\S+\s+)*(\"(?:[^\"\\]|\\.)*\"|\{[^}]*\}|\S+)")


def expect(an: Analysis, cmd: Cmd, program: str) -> bool:
    """expect, tclsh, wish: Tcl read line by line from ``-c`` (expect's), a script file or the input:
    ``spawn``/``exec``/``system`` run commands, ``send`` types into what was spawned (a shell runs
    it). True when the script is not known (piped in, or a file that cannot be read)."""
    p = argv.parse(cmd.words[1:], argv.opts("-c -f -D" if program == "expect" else "-encoding"),
                   stop_at_operand=True)
    scripts = p.all("c")
    files = p.all("f") or ([] if scripts else p.operands[:1])
    for word in files:
        an.file("file_read", word, cmd, program=program)
        text, _ = runs.read(an, an.target(word, cmd.scope).path) if not word.dynamic else (None, "")
        if text is None:
            return word.dynamic or runs.by_agent(an, an.target(word, cmd.scope).path)
        scripts.append(Word(text))
    if not scripts and not files:  # the script comes on the input
        if cmd.stdin.text is None:
            return cmd.stdin.kind in ("pipe", "file")
        scripts.append(Word(cmd.stdin.text, secret=cmd.stdin.secret))
    for script in scripts:
        for line in re.split(r"[\n;]", script.text):
            an.tick()
            if m := EXPECT_RUNS.match(line):
                text = m.group(2).strip()
                if m.group(1) == "spawn":
                    text = re.sub(r"^(?:-\S+\s+)*", "", text)
                an.shell(Word(text, script.dynamic), cmd, f"{program} {m.group(1)}")
            elif m := EXPECT_SENDS.match(line):
                body = m.group(1)
                body = body[1:-1] if body[:1] in "\"{" else body
                an.shell(Word(re.sub(r"\\r|\\n", "\n", body), script.dynamic), cmd, f"{program} send")
    return any(script.dynamic for script in scripts)


HANDLERS = {"tmux": tmux, "screen": screen, "at": at, "batch": at, "expect": expect, "tclsh": expect,
            "wish": expect}
