"""Options that name a command the program runs: ``tar --to-command``/``-I``/``--checkpoint-action=exec=``,
``sort --compress-program``, ``zip -TT``, ``rg --pre``, ``man -P``, ``vim -c '!…'``, ``gdb -ex 'shell …'``, ``less +!…``. Each command is
analysed as shell text the program runs, as if typed; the program's own handler reads the rest.
Standard library only: used on the hot path (a dict lookup for every other program).
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word

_TAR = ("-f --file -C --directory -T --files-from -X --exclude-from --exclude -b --blocking-factor -H --format "
        "-I --use-compress-program --transform -g --listed-incremental --owner --group --mode -N --newer "
        "--to-command -F --info-script --new-volume-script --rsh-command --checkpoint-action",
        {"I": "", "use-compress-program": "", "to-command": "", "F": "", "info-script": "",
         "new-volume-script": "", "rsh-command": "", "checkpoint-action": "exec="})
_VIM: tuple[str, dict[str, str]] = ("-c --cmd -S -u -U -i -T -w -W -s -t -q", {})  # read by ``_vim``

# program -> (options that take a value, {option: how its value is a command}); "" is shell text,
# "exec=" shell text after that prefix
PROGRAMS: dict[str, tuple[str, dict[str, str]]] = {
    "tar": _TAR, "gtar": _TAR, "bsdtar": _TAR,
    "sort": ("-o --output -k --key -t --field-separator -S --buffer-size -T --temporary-directory --parallel "
             "--files0-from --compress-program", {"compress-program": ""}),
    "zip": ("-P --password -O --output-file -b --temp-path -n --suffixes -t -tt -i -x -Z --compression-method "
            "-TT --unzip-command", {"TT": "", "unzip-command": ""}),
    "rg": ("-e --regexp -f --file -g --glob --iglob -t --type -T --type-not -m --max-count -A -B -C --context "
           "-M --max-columns -j --threads --max-depth -d --ignore-file --type-add --colors --color -E "
           "--encoding --sort --sortr -r --replace --pre --pre-glob", {"pre": ""}),
    "man": ("-P --pager -M --manpath -S -s --sections -L --locale -m --systems -C --config-file -E --encoding",
            {"P": "", "pager": ""}),
    **dict.fromkeys(("vim", "vi", "nvim", "view", "ex"), _VIM),
    "gdb": ("-ex --eval-command -iex --init-eval-command -x --command -ix --init-command -p --pid -cd "
            "-d --directory -s --symbols -e --exec -se -c --core --args -D --data-directory",
            {"ex": "shell", "eval-command": "shell", "iex": "shell", "init-eval-command": "shell"}),
}
PROGRAMS["java"] = ("", {})  # read by ``analyser.jvm``
PROGRAMS["fc"] = ("-e", {"e": ""})  # bash's fc runs its editor, then the edited commands
PROGRAMS["less"] = ("", {})  # +!CMD, read by ``run``
VIMS = ("vim", "vi", "nvim", "view", "ex")


def run(an: Analysis, cmd: Cmd, program: str) -> None:
    """Analyse the commands ``cmd``'s options make ``program`` run."""
    if program == "java":  # -XX:OnOutOfMemoryError=CMD, -javaagent:JAR (options before the class or -jar)
        from vectimus.analyser import jvm

        jvm.options(an, cmd, cmd.words[1:], "java")
        return
    if program == "less":  # less +!CMD FILE: an initial command, `!` runs CMD in a shell
        for w in cmd.words[1:]:
            if w.text.startswith("+!") and (w.text[2:].strip() or w.dynamic):
                an.shell(Word(w.text[2:], w.dynamic), cmd, "less +!")
        return
    spec, commands = PROGRAMS[program]
    words = list(cmd.words[1:])
    if program == "man":  # MANOPT holds options man reads before its own (MANOPT='-P cmd')
        from vectimus.analyser.facts import env

        extra = env.value(cmd, "MANOPT")
        if extra is not None:
            words = [Word(w, extra.dynamic) for w in _split(extra.text)] + words
    if program in ("tar", "gtar", "bsdtar") and words and not words[0].text.startswith("-") and not words[0].dynamic:
        words[0] = Word("-" + words[0].text)  # tar cvf …: the first word is options
    if program in VIMS:  # +CMD is -c CMD; -es/-Es is silent Ex mode (its -s takes no script)
        expanded: list[Word] = []
        for w in words:
            expanded += [Word("-c"), Word(w.text[1:])] if w.text.startswith("+") and len(w.text) > 1 \
                and not w.dynamic else [Word("-e")] if w.text in ("-es", "-Es") else [w]
        _vim(an, cmd, program, argv.parse(expanded, argv.opts(spec)))
        return
    p = argv.parse(words, argv.opts(spec), long_single_dash=program in ("zip", "gdb"))
    for name, word in p.values:
        kind = commands.get(name)
        if kind is None:
            continue
        text = word.text
        if kind == "exec=":
            if not text.startswith("exec="):
                continue
            text = text[len("exec="):]
        elif kind == "shell":  # gdb -ex 'shell CMD' / -ex '!CMD'
            text = text.lstrip()
            if text.startswith(("shell ", "!")):
                text = text[1:] if text.startswith("!") else text[6:]
            else:
                continue
        if text.strip() or word.dynamic:
            an.shell(Word(text, word.dynamic), cmd, f"{program} {'--' if len(name) > 1 else '-'}{name}")


def _vim(an: Analysis, cmd: Cmd, program: str, p: argv.Parsed) -> None:
    """vim's commands (``-c``, ``+cmd``, ``--cmd``) and the scripts it sources (``-S``, ``-u``, ``-s``)."""
    from vectimus.analyser.programs import editor_commands

    for name, word in p.values:
        if name in ("c", "cmd"):
            if word.dynamic:
                an.shell(word, cmd, f"{program} -{name}")  # unknown text: unknown command
            else:
                editor_commands.vim_line(an, cmd, word.text, f"{program} -{name}")
        elif name in ("S", "u", "s"):  # (-s: typed commands read from the file)
            editor_commands.vim_script(an, cmd, word, f"{program} -{name}")
    if program != "view" and not p.has("R", "M"):  # the files it opens, it may write
        for word in p.operands:
            an.file("file_write", word, cmd, program=program)


def _split(text: str) -> list[str]:
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
