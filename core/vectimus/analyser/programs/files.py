"""Programs that delete, write or read files: which paths each one touches, and how (archivers
are ``archives``).

Standard library only: used on the hot path.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, listed, runs, writes
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts.net import looks_remote
from vectimus.model import ActionKind

# Flag spellings that mean the same thing, so one policy test covers them all.
FLAG_ALIASES = {
    "rm": {"R": "r", "recursive": "r", "force": "f", "dir": "d"},
    "cp": {"R": "r", "recursive": "r", "force": "f", "a": "r", "archive": "r"},
    "chmod": {"R": "r", "recursive": "r"}, "chown": {"R": "r", "recursive": "r"},
    "chgrp": {"R": "r", "recursive": "r"}, "shred": {"remove": "u", "force": "f"},
    "rsync": {"recursive": "r", "a": "r", "archive": "r"},
}


def canonical(program: str, flags) -> tuple[str, ...]:
    """The flags with their aliases added (``rm --recursive`` -> ``recursive``, ``r``)."""
    if not flags:
        return ()
    aliases = FLAG_ALIASES.get(program)
    if aliases is None:  # the flags as given, each once
        found = tuple(dict.fromkeys(flags))
        return found if "" not in found else tuple(flag for flag in found if flag)
    out: list[str] = []
    for flag in flags:
        for name in (flag, aliases.get(flag)):
            if name and name not in out:
                out.append(name)
    return tuple(out)


# -- deleting -------------------------------------------------------------------------------

def rm(an: Analysis, cmd: Cmd, program: str) -> None:
    """rm / unlink / rmdir / shred: one file_delete per operand, with the command's flags."""
    p = argv.parse(cmd.words[1:], argv.opts("-n --iterations -s --size --random-source"))
    flags = canonical("rm" if program in ("rm", "srm") else program, p.flags)
    kind: ActionKind
    if program == "shred":
        kind = "file_delete" if p.has("u", "remove") or any(f.startswith("remove") for f in p.flags) else "file_write"
    else:
        kind = "file_delete"
    for word in p.operands:
        an.file(kind, word, cmd, flags, program=program)


FIND_VALUE_PRED = {
    "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex", "-type",
    "-xtype", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-newer", "-anewer", "-cnewer",
    "-size", "-user", "-group", "-uid", "-gid", "-perm", "-links", "-inum", "-samefile", "-lname",
    "-ilname", "-used", "-fstype", "-context", "-newermt", "-newerct", "-newerat",
}
FIND_VALUE_OTHER = {"-maxdepth", "-mindepth", "-regextype", "-printf", "-fprint", "-fprint0",
                    "-fprintf", "-fls", "-D", "-O", "-files0-from"}
FIND_EVERY_KIND = {"-type", "-xtype"}  # tests that pick files by kind, so select everything below
FIND_TESTS_NO_VALUE = {"-empty", "-executable", "-readable", "-writable", "-nouser", "-nogroup"}
FIND_EXEC = ("-exec", "-execdir", "-ok", "-okdir")


def find(an: Analysis, cmd: Cmd, program: str) -> None:
    """find: start points; ``-delete`` and ``-exec`` act on what the expression selects."""
    words = list(cmd.words[1:])
    i = 0
    while i < len(words) and words[i].text in ("-H", "-L", "-P"):
        i += 1
    starts = []
    while i < len(words) and not words[i].dynamic and not words[i].text.startswith(("-", "(", "!")):
        starts.append(words[i])
        i += 1
    if i < len(words) and words[i].dynamic and not starts:
        starts.append(words[i])
        i += 1
    starts = starts or [Word(".")]
    expr = words[i:]
    names: list[str] = []
    filtered = False
    deletes = False
    execs: list[tuple[str, list[Word]]] = []
    writes: list[Word] = []
    j = 0
    while j < len(expr):
        token = expr[j].text
        j += 1
        if token in FIND_VALUE_PRED:
            filtered = filtered or token not in FIND_EVERY_KIND  # -type f still selects every file
            if token in ("-name", "-iname") and j < len(expr):
                names.append(expr[j].text)
            j += 1
        elif token in FIND_VALUE_OTHER:
            if token in ("-fprint", "-fprint0", "-fls") and j < len(expr):
                writes.append(expr[j])
            elif token == "-fprintf" and j < len(expr):
                writes.append(expr[j])
                j += 1
            j += 1
        elif token in FIND_TESTS_NO_VALUE:
            filtered = True
        elif token == "-delete":
            deletes = True
        elif token in FIND_EXEC:
            inner: list[Word] = []
            while j < len(expr) and expr[j].text not in (";", "+"):
                inner.append(expr[j])
                j += 1
            j += 1
            execs.append((token, inner))
    if names and execs or not (execs or deletes) and cmd.stdout == "pipe":
        sample = listed.selected(an, cmd, starts, names, filtered)  # `-name .env -exec cat {} +`: one is .env
        listed.listed(an, cmd, sample)
        execs += [(token, [Word(sample) if w.text == "{}" else w for w in inner]) for token, inner in execs
                  if sample and any(w.text == "{}" for w in inner)]
    for start in starts:
        selected = start
        if filtered:
            pattern = names[0] if len(names) == 1 else "*"
            selected = Word(start.text.rstrip("/") + "/**/" + pattern, start.dynamic, glob=True)
        if deletes:
            an.file("file_delete", selected, cmd, ("r",), program=program)
        for token, inner in execs:
            replaced = [Word(w.text.replace("{}", selected.text), w.dynamic or selected.dynamic,
                             w.glob or ("{}" in w.text and selected.glob), w.secret) for w in inner]
            if replaced:
                an.dispatch(cmd.with_words(replaced, via=f"find {token}"))
    for word in writes:
        an.file("file_write", word, cmd, program=program)


# -- copying and moving ---------------------------------------------------------------------

CP_VALUE = argv.opts("-t --target-directory -S --suffix -m --mode -o --owner -g --group --backup "
                     "--reflink --sparse --preserve --no-preserve")
RSYNC_VALUE = argv.opts(
    "-e --rsh --exclude --include --exclude-from --include-from --files-from -f --filter --log-file "
    "--password-file --backup-dir --suffix --chmod --chown -B --block-size --timeout --port "
    "--partial-dir -T --temp-dir --compare-dest --link-dest --copy-dest --max-size --min-size "
    "--bwlimit -M --remote-option --rsync-path --usermap --groupmap --info --debug --out-format")


def _into(dest: Word, sources: list[Word], cmd: Cmd, an: Analysis, forced_dir: bool) -> list[Word]:
    """The paths a copy writes: ``dest`` itself, or ``dest/<source name>`` when it is a directory."""
    is_dir = forced_dir or dest.text.endswith("/") or len(sources) > 1
    if not is_dir and not dest.dynamic:
        is_dir = an.target(dest, cmd.scope).is_dir
    if not is_dir:
        return [dest]
    return [Word(dest.text.rstrip("/") + "/" + posixpath.basename(s.text.rstrip("/")),
                 dest.dynamic or s.dynamic, s.glob) for s in sources] or [dest]


def copy(an: Analysis, cmd: Cmd, program: str) -> None:
    """cp / mv / install / ln: sources read (moved ones deleted), destinations written."""
    p = argv.parse(cmd.words[1:], CP_VALUE)
    ops = list(p.operands)
    if program == "install" and p.has("d", "directory"):
        for word in ops:
            an.file("file_write", word, cmd, program=program)
        return
    target_dir = p.value("t", "target-directory")
    if target_dir is not None:
        dest, sources = target_dir, ops
    elif len(ops) >= 2:
        dest, sources = ops[-1], ops[:-1]
    elif program == "ln" and len(ops) == 1:
        dest, sources = Word("."), ops
    else:
        for word in ops:
            an.file("file_read", word, cmd, program=program)
        return
    no_target_dir = p.has("T", "no-target-directory")
    texts = []
    for src in sources:
        if program == "mv":  # the source path is gone afterwards
            facts = an.file("file_delete", src, cmd, program=program)
        else:
            facts = an.file("file_read", src, cmd, program=program)
            links = program == "ln" or (program == "cp" and p.has("l", "link", "s", "symbolic-link"))
            if links and (facts.is_vectimus or facts.is_governance):
                an.file("file_write", src, cmd, program=program)  # a link to it writes it
        readable = not facts.is_dir and (facts.exists or facts.path in an.pending)  # a missing file has no text
        texts.append(runs.read(an, facts.path)[0] if facts.path.startswith("/") and readable
                     and not src.dynamic else None)
    written = [dest] if no_target_dir else _into(dest, sources, cmd, an, target_dir is not None)
    if program == "cp" and "r" in canonical(program, p.flags) and not no_target_dir:
        from vectimus.analyser.programs import tree_writes

        tree_writes.merged(an, cmd, program, sources, dest, slash_is_contents=False)
    for i, word in enumerate(written):
        facts = an.file("file_write", word, cmd, canonical(program, p.flags), program=program)
        text = texts[i] if len(written) == len(texts) else None
        if text is not None and not word.dynamic and facts.path.startswith("/"):
            writes.written(an, cmd, facts.path, text)  # the copy holds what the source holds


def rsync(an: Analysis, cmd: Cmd, program: str) -> None:
    """rsync: remote ends are network actions; local sources read, a local destination written."""
    p = argv.parse(cmd.words[1:], RSYNC_VALUE)
    if not p.operands:
        return
    sources, dest = (p.operands[:-1], p.operands[-1]) if len(p.operands) > 1 else (p.operands, None)
    from vectimus.analyser.programs.network import copy_remote  # the network handlers, loaded when rsync runs

    copy_remote(an, cmd, program, sources, dest)
    for word in p.all("exclude-from", "include-from", "files-from", "password-file"):
        an.file("file_read", word, cmd, program=program)
    for src in sources:
        if not looks_remote(src.text):
            an.file("file_read", src, cmd, program=program)
    if dest is not None and not looks_remote(dest.text):
        flags = canonical(program, p.flags)
        an.file("file_write", dest, cmd, flags, program=program)
        if "r" in flags:
            from vectimus.analyser.programs import tree_writes

            tree_writes.merged(an, cmd, program, sources, dest, slash_is_contents=True)
        if any(f.startswith("delete") or f.startswith("remove") for f in p.flags):
            an.file("file_delete", dest, cmd, tuple(dict.fromkeys(("r", *flags))), program=program)


# -- writing --------------------------------------------------------------------------------

WRITE_VALUE = {
    "tee": "", "sponge": "", "touch": "-r --reference -d --date -t", "mkdir": "-m --mode --context",
    "truncate": "-s --size -r --reference", "chmod": "--reference", "chown": "--reference --from",
    "chgrp": "--reference", "chattr": "-v -p", "setfacl": "-m -M -x -X --set --set-file",
}
LEADING_NON_PATH = {"chmod": 1, "chown": 1, "chgrp": 1, "chattr": 0, "setfacl": 0}


def write(an: Analysis, cmd: Cmd, program: str) -> None:
    """tee / touch / mkdir / truncate / chmod / chown …: every path operand is written."""
    p = argv.parse(cmd.words[1:], argv.opts(WRITE_VALUE.get(program, "")))
    ops = list(p.operands)
    if program == "chmod":  # a mode like -w or -x parses as flags; recover it as the mode
        if ops and not p.value("reference") and (ops[0].text[:1] in "0123456789ugoa+-=" or "=" in ops[0].text):
            ops = ops[1:]
    else:
        skip = LEADING_NON_PATH.get(program, 0)
        if p.value("reference") is not None:
            skip = 0
        if program == "setfacl" and not (p.values or p.has("b", "k", "remove-all")):
            skip = 1
        ops = ops[skip:]
    for word in p.all("r", "reference") if program in ("touch", "truncate") else []:
        an.file("file_read", word, cmd, program=program)
    flags = canonical(program, p.flags)
    for word in ops:
        facts = an.file("file_write", word, cmd, flags, program=program)
        if program == "tee" and cmd.stdin.text is not None and facts.path.startswith("/") and not word.dynamic:
            current = (runs.read(an, facts.path)[0] or "") if p.has("a", "append") else ""
            writes.written(an, cmd, facts.path, current + cmd.stdin.text)


def dd(an: Analysis, cmd: Cmd, program: str) -> None:
    """dd: ``if=`` is read, ``of=`` is written."""
    for word in cmd.words[1:]:
        key, eq, value = word.text.partition("=")
        if eq and key in ("if", "of"):
            an.file("file_read" if key == "if" else "file_write", Word(value, word.dynamic, word.glob),
                    cmd, program=program)


SED_VALUE = argv.opts("-e --expression -f --file -l --line-length")


def sed(an: Analysis, cmd: Cmd, program: str) -> None:
    """sed: the script (``-e``, or the first operand) is analysed (``e``, ``w``, ``r``); files are
    written with -i, else read."""
    words = [Word("-i") if w.text.startswith("-i") and not w.dynamic else w for w in cmd.words[1:]]
    p = argv.parse(words, SED_VALUE)  # -i.bak, -ie: an in-place suffix, not more options
    ops = p.operands
    scripts = p.all("e", "expression")
    if not scripts and not p.all("f", "file") and ops:
        scripts, ops = ops[:1], ops[1:]
    for word in p.all("f", "file"):
        an.file("file_read", word, cmd, program=program)
        if not p.has("sandbox"):
            runs.run_file(an, cmd, word, runner="sed")
    if scripts and not p.has("sandbox"):
        an.code("sed", Word("\n".join(w.text for w in scripts), any(w.dynamic for w in scripts)),
                cmd, "sed script")
    in_place = p.has("i", "in-place") or any(f.startswith("in-place") for f in p.flags)
    for word in ops:
        edited = None
        if in_place and scripts and not word.dynamic and not any(w.dynamic for w in scripts):
            from vectimus.analyser.programs import sed_edit  # (the file as it is now, before this write)

            path = an.resolve(word, cmd.scope)
            edited = sed_edit.edited(an, path, "\n".join(w.text for w in scripts), p.has("E", "r", "regexp-extended"))
        an.file("file_write" if in_place else "file_read", word, cmd, ("i",) if in_place else (), program=program)
        if edited is not None:  # after the write's own record, which leaves its text unknown
            sed_edit.judge(an, cmd, path, edited)


def patch(an: Analysis, cmd: Cmd, program: str) -> None:
    """patch: reads the patch, writes the file it names (or the tree it runs in)."""
    p = argv.parse(cmd.words[1:], argv.opts("-i --input -o --output -d --directory -p --strip "
                                             "-B --prefix -r --reject-file -z --suffix -F --fuzz"))
    for word in p.all("i", "input"):
        an.file("file_read", word, cmd, program=program)
    if len(p.operands) > 1:
        an.file("file_read", p.operands[1], cmd, program=program)
    out = p.value("o", "output")
    target = out or (p.operands[0] if p.operands else p.value("d", "directory") or Word("."))
    an.file("file_write", target, cmd, program=program)
    if out is None and not p.operands and not p.has("dry-run", "C", "check"):  # the files the patch names
        from vectimus.analyser.programs import tree_writes

        strip = p.value("p", "strip")
        given = p.all("i", "input")
        tree_writes.patched(an, cmd, program, tree_writes.patch_text(an, cmd, given[-1] if given else None),
                            int(strip.text) if strip is not None and strip.text.isdigit() else None,
                            p.value("d", "directory"))


def crontab(an: Analysis, cmd: Cmd, program: str) -> None:
    """crontab: installing or editing a table writes the user's crontab; -r deletes it."""
    p = argv.parse(cmd.words[1:], argv.opts("-u"))
    user = (p.value("u") or Word(an.env.get("USER") or an.env.get("LOGNAME") or "user")).text
    spool = Word(f"/var/spool/cron/crontabs/{user}")
    if p.has("l"):
        an.file("file_read", spool, cmd, program=program)
        return
    for word in p.operands:
        if word.text != "-":
            an.file("file_read", word, cmd, program=program)
    an.file("file_delete" if p.has("r") else "file_write", spool, cmd, program=program)


# -- reading --------------------------------------------------------------------------------

# program -> (options taking a value, leading operands that are not files, recursive default)
READERS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("cat", "tac", "nl", "less", "more", "most", "bat", "batcat", "view", "base32",
                     "base64", "od", "hexdump", "hd", "strings", "paste", "wc", "md5sum",
                     "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum",
                     "sum", "cmp", "comm", "file", "expand", "rev", "zcat", "zless", "gzcat", "bzcat",
                     "xzcat", "zstdcat", "lzcat", "source", ".", "readlink", "realpath", "stat",
                     "look", "diff3", "sdiff", "vimdiff"), ("", 0)),
    "cut": ("-b --bytes -c --characters -d --delimiter -f --fields --output-delimiter", 0),
    "pv": ("-N --name -L --rate-limit -B --buffer-size -s --size -i --interval -w --width -H --height "
           "-A --last-written -F --format -D --delay-start -x --extra-display -d --watchfd -R --remote", 0),
    "diff": ("-C -U --unified --context -x --exclude -X --exclude-from -I --ignore-matching-lines "
             "-L --label -F --show-function-line", 0),
    "iconv": ("-f --from-code -t --to-code -o --output", 0),
    "column": ("-s --separator -c --output-width -o --output-separator -N --table-columns", 0),
    "fold": ("-w --width", 0), "fmt": ("-w --width -p --prefix", 0),
    "split": ("-l --lines -b --bytes -n --number -a --suffix-length -C --line-bytes", 0),
    "csplit": ("-f --prefix -b --suffix-format -n --digits", 0),
    "head": ("-n --lines -c --bytes", 0), "tail": ("-n --lines -c --bytes -s --sleep-interval --pid", 0),
    "sort": ("-o --output -k --key -t --field-separator -S --buffer-size -T --temporary-directory "
             "--parallel --files0-from", 0),
    "uniq": ("-f --skip-fields -s --skip-chars -w --check-chars", 0),
    "xxd": ("-c -cols -g -groupsize -l -len -s -seek -o -offset -n -name", 0),
    "shuf": ("-o --output -n --head-count -i --input-range --random-source", 0),
    "grep": ("-e --regexp -f --file -m --max-count -A -B -C --context --include --exclude "
             "--exclude-dir --label --color --colour -d --directories -D --devices", 1),
    "egrep": ("-e -f -m -A -B -C --include --exclude --exclude-dir", 1),
    "fgrep": ("-e -f -m -A -B -C --include --exclude --exclude-dir", 1),
    "rg": ("-e --regexp -f --file -g --glob --iglob -t --type -T --type-not -m --max-count -A -B -C "
           "--context -M --max-columns -j --threads --max-depth -d --ignore-file --type-add "
           "--colors --color -E --encoding --sort --sortr -r --replace --pre --pre-glob", 1),
    "ag": ("-G --file-search-regex -A -B -C -m --ignore --depth", 1),
    "ack": ("--type -A -B -C -m --ignore-dir", 1),
    "jq": ("-f --from-file --arg --argjson --slurpfile --rawfile --indent --args --jsonargs -L", 1),
    "yq": ("-I --indent -o --output-format -p --input-format --arg", 1),
}
PATTERN_OPTS = ("e", "regexp", "f", "file", "from-file")
RECURSIVE_BY_DEFAULT = {"rg", "ag", "ack"}


def read(an: Analysis, cmd: Cmd, program: str) -> None:
    """Known readers: every file operand is read (patterns and programs are not files)."""
    value_spec, lead = READERS[program]
    p = argv.parse(cmd.words[1:], argv.opts(value_spec))
    ops = list(p.operands)
    if lead and not (program in ("grep", "egrep", "fgrep", "rg", "ag", "ack", "jq")
                     and p.all(*PATTERN_OPTS)):
        ops = ops[lead:]
    if program in ("source", "."):
        ops = ops[:1]
    elif program in ("less", "zless"):  # the lesskey file it reads as it starts
        from vectimus.analyser.programs import lesskey

        lesskey.run(an, cmd, program)
    for word in p.all("f", "file", "from-file") if program in ("grep", "rg", "jq") else []:
        an.file("file_read", word, cmd, program=program)
    if program == "jq":
        for name, word in p.values:
            if name in ("slurpfile", "rawfile"):
                an.file("file_read", word, cmd, program=program)
    written: list[Word] = []
    if program in ("sort", "shuf"):
        written = p.all("o", "output")
    elif program in ("uniq", "xxd") and len(ops) == 2:
        written, ops = [ops[1]], ops[:1]
    elif program == "yq" and p.has("i", "inplace"):  # yq -i edits its files in place
        written = list(ops)
    recursive = p.has("r", "R", "recursive", "dereference-recursive") or program in RECURSIVE_BY_DEFAULT
    if not ops and recursive and not cmd.stdin.kind:
        ops = [Word(".")]
    for word in ops:
        if word.text != "-":
            an.file("file_read", word, cmd, ("r",) if recursive else (), program=program)
    for word in written:
        an.file("file_write", word, cmd, program=program)


HANDLERS = {
    "rm": rm, "unlink": rm, "rmdir": rm, "shred": rm, "srm": rm, "find": find, "ls": listed.ls,
    "cp": copy, "mv": copy, "install": copy, "ln": copy, "rsync": rsync,
    "tee": write, "sponge": write, "touch": write, "mkdir": write, "truncate": write, "chmod": write, "chown": write,
    "chgrp": write, "chattr": write, "setfacl": write,
    "dd": dd, "sed": sed, "gsed": sed, "patch": patch, "crontab": crontab,
    **dict.fromkeys(READERS, read),
}

