"""Editor and text-processor commands that run a command or code: vim's Ex commands (``-c``/``+``
commands, ``--cmd``, the scripts ``-S``, ``-u`` and ``-s`` name and what they ``:source``), ed's
commands on its input, dc's ``!`` and m4's ``syscmd``/``esyscmd``. ``:!cmd``, ``:r !cmd``,
``:w !cmd``, ``:call system('cmd')``, ``:terminal cmd``, ed's and dc's ``!cmd`` and m4's
``esyscmd(cmd)`` run shell text; ``:py3``/``:python``/``:lua``/``:perl``/``:ruby`` run code.

Standard library only: imported when a call runs vim or ed.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

MAX_LINES = 2000
MAX_DEPTH = 3
CODE = {"py": "python", "py3": "python", "python": "python", "python3": "python", "pyx": "python",
        "pythonx": "python", "py3do": "python", "pydo": "python", "lua": "lua", "luado": "lua",
        "perl": "perl", "perldo": "perl", "ruby": "ruby", "rubydo": "ruby"}
_SHELL_CALL = re.compile(r"""\b(?:system|systemlist|job_start|jobstart|termopen|term_start)\s*\(\s*(['"])(.*?)\1""")
_FILTER = re.compile(r"^(?:\d+|%|\.|\$|'[a-z<>]|,)*\s*(?:r|re|rea|read|w|wr|wri|writ|write)?\s*!(.*)$", re.S)


def vim_line(an: Analysis, cmd: Cmd, text: str, label: str, depth: int = 0) -> None:
    """One Ex command line as vim runs it (``-c``, a line of a script it sources)."""
    line = text.strip().lstrip(":").strip()
    while True:  # modifiers that still run the command
        bare = re.sub(r"^(?:sil(?:ent)?!?|keepj(?:umps)?|noa(?:utocmd)?|uns(?:ilent)?|vert(?:ical)?)\s+", "", line)
        if bare == line:
            break
        line = bare
    found = re.match(r"^(?:exe|exec|execute)\s+(['\"])(.*)\1\s*$", line, re.S)
    if found:
        line = found.group(2).lstrip(":").strip()
    head = re.match(r"^([A-Za-z0-9]+)\b\s*(.*)$", line, re.S)
    word, rest = (head.group(1), head.group(2)) if head else ("", line)
    if word in CODE:
        if rest.strip() and not rest.startswith("<<"):  # (a -c line holds no heredoc body)
            an.code(CODE[word], Word(rest), cmd, f"{label} :{word}")
    elif word in ("ter", "term", "termi", "termin", "termina", "terminal") and rest.strip():
        an.shell(Word(re.sub(r"^(?:\+\+\w+\s+)*", "", rest)), cmd, f"{label} :terminal")
    elif word in ("so", "sou", "sour", "sourc", "source", "ru", "runtime") and rest.strip() and depth < MAX_DEPTH:
        vim_script(an, cmd, Word(rest.strip()), label, depth + 1)
    else:
        shell = _FILTER.match(line)
        if shell and shell.group(1).strip():
            an.shell(Word(shell.group(1)), cmd, f"{label} :!")
    for _, command in _SHELL_CALL.findall(line):
        an.shell(Word(command), cmd, f"{label} system()")


def vim_script(an: Analysis, cmd: Cmd, path: Word, label: str, depth: int = 0) -> None:
    """A Vim script vim sources (``-S file``, ``-u vimrc``, ``:source``): each line is a command."""
    if path.dynamic or path.text.upper() in ("NONE", "NORC", "DEFAULTS") or depth > MAX_DEPTH:
        return
    resolved = an.resolve(path, cmd.scope)
    text, why = runs.read(an, resolved)
    if text is None:
        if why:
            runs.unread(an, cmd, resolved, runs.display(an, resolved), runs.by_agent(an, resolved), why)
        return
    lines = text.splitlines()[:MAX_LINES]
    code: list[str] = []
    language = ""
    for line in lines:  # :python3 << EOF … EOF blocks hold code
        if language:
            if line.strip() in ("EOF", "."):
                an.code(language, Word("\n".join(code)), cmd, f"{label} {runs.display(an, resolved)}")
                language, code = "", []
            else:
                code.append(line)
            continue
        block = re.match(r"^\s*:?\s*(\w+)\s*<<", line)
        if block and block.group(1) in CODE:
            language = CODE[block.group(1)]
            continue
        if line.strip() and not line.lstrip().startswith('"'):
            vim_line(an, cmd, line, f"{label} {runs.display(an, resolved)}", depth)
    if language and code:
        an.code(language, Word("\n".join(code)), cmd, f"{label} {runs.display(an, resolved)}")


def ed_commands(an: Analysis, cmd: Cmd, text: str, program: str) -> None:
    """ed's commands (its input): ``!cmd``, ``r !cmd``, ``w !cmd`` and ``e !cmd`` run shell text."""
    for line in text.splitlines()[:MAX_LINES]:
        found = re.match(r"^\s*(?:[0-9,.$%;'a-z+-]*\s*[rwWe]\s*)?!(.*)$", line)
        if found and found.group(1).strip():
            an.shell(Word(found.group(1)), cmd, f"{program} !")


def ed(an: Analysis, cmd: Cmd, program: str) -> None:
    """ed: the commands on its input; the file it edits may be written."""
    for word in argv.parse(cmd.words[1:], argv.opts("-p --prompt")).operands[:1]:
        an.file("file_write", word, cmd, program=program)
    text = runs.input_text(an, cmd.stdin, cmd.scope)
    if text:
        ed_commands(an, cmd, text, program)


def dc(an: Analysis, cmd: Cmd, program: str) -> None:
    """dc: ``!`` runs the rest of its line, in ``-e`` expressions, ``-f``/operand files or its input."""
    for text in _inputs(an, cmd, "-e --expression", ("e", "expression"), ("f", "file")):
        for line in text.splitlines()[:MAX_LINES]:
            at = line.find("!")
            if at >= 0 and line[at + 1:at + 2] not in ("<", "=", ">") and line[at + 1:].strip():
                an.shell(Word(line[at + 1:]), cmd, "dc !")


def m4(an: Analysis, cmd: Cmd, program: str) -> None:
    """m4: ``syscmd(…)``/``esyscmd(…)`` in its input files, its input and ``-D`` definitions."""
    for text in _inputs(an, cmd, "-D --define -I --include -U --undefine -o --error-output", ("D", "define"), ()):
        for found in re.finditer(r"\b(?:e?syscmd)\(", text):
            depth, start = 1, found.end()
            end = start
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            argument = text[start:end - 1].strip().removeprefix("`").removesuffix("'")
            if argument:
                an.shell(Word(argument), cmd, "m4 syscmd")


def _inputs(an: Analysis, cmd: Cmd, spec: str, texts: tuple[str, ...], files: tuple[str, ...]) -> list[str]:
    """The text a filter program reads: option values ``texts``, files named by ``files`` options
    or as operands, and its standard input."""
    p = argv.parse(cmd.words[1:], argv.opts(spec + " " + " ".join("-" * min(len(n), 2) + n for n in files)))
    out = [w.text for name, w in p.values if name in texts]
    for word in [*(w for name, w in p.values if name in files), *p.operands]:
        text, _ = runs.read(an, an.resolve(word, cmd.scope)) if not word.dynamic else (None, "")
        out.append(text or "")
    stdin = runs.input_text(an, cmd.stdin, cmd.scope)
    if stdin:
        out.append(stdin)
    return out


HANDLERS = {"ed": ed, "dc": dc, "m4": m4}
