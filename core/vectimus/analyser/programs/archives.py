"""Archivers and compressors (tar, zip/unzip, cpio, gzip, bzip2, xz, zstd): what each reads and writes.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import archive_members, tree_writes
from vectimus.model import ActionKind

TAR_VALUE = argv.opts("-f --file -C --directory -T --files-from -X --exclude-from --exclude "
                      "-b --blocking-factor -H --format -I --use-compress-program --transform "
                      "-g --listed-incremental --strip-components --owner --group --mode -N --newer --to-command")


def tar(an: Analysis, cmd: Cmd, program: str) -> None:
    """tar: creating reads the inputs and writes the archive; extracting writes into -C or cwd."""
    words = list(cmd.words[1:])
    if words and not words[0].text.startswith("-") and not words[0].dynamic:
        words[0] = Word("-" + words[0].text)
    p = argv.parse(words, TAR_VALUE)
    archive = p.value("f", "file")
    creating = p.has("c", "create", "r", "append", "u", "update")
    extracting = p.has("x", "extract", "get")
    if creating:
        if archive is not None and archive.text != "-":
            an.file("file_write", archive, cmd, program=program)
        base = p.value("C", "directory")
        for word in p.operands:
            path = Word(f"{base.text.rstrip('/')}/{word.text}", base.dynamic or word.dynamic) \
                if base is not None and not word.text.startswith("/") else word
            an.file("file_read", path, cmd, program=program)
            if p.has("remove-files"):  # and deletes them once archived
                an.file("file_delete", path, cmd, ("r",), program=program)
    else:
        if archive is not None and archive.text != "-":
            an.file("file_read", archive, cmd, program=program)
        if extracting:
            into = p.value("C", "directory")
            an.file("file_write", into or Word("."), cmd, program=program)
            strip = p.value("strip-components")
            archive_members.extracted(
                an, cmd, program, stdin_archive(cmd) if archive is None or archive.text == "-" else archive, into,
                zipped=False, wanted=p.operands, strip=int(strip.text) if strip is not None and strip.text.isdigit() else 0,
                absolute=p.has("P", "absolute-names"))
    for word in p.all("T", "files-from", "X", "exclude-from"):
        an.file("file_read", word, cmd, program=program)


def stdin_archive(cmd: Cmd) -> Word:
    """The archive a command reads on its standard input: the file redirected in, else one that
    cannot be known now (a pipe, a here-string)."""
    if cmd.stdin.kind == "file" and cmd.stdin.path:
        return Word(cmd.stdin.path)
    return Word("the standard input", dynamic=True)


def zip_(an: Analysis, cmd: Cmd, program: str) -> None:
    """zip: writes the archive (first operand), reads the rest; unzip: reads it, writes -d or cwd."""
    if program == "unzip":
        p = argv.parse(cmd.words[1:], argv.opts("-d -P -x"))
        if p.operands:
            an.file("file_read", p.operands[0], cmd, program=program)
        if not p.has("l", "t", "p", "Z"):
            an.file("file_write", p.value("d") or Word("."), cmd, program=program)
            if p.operands:
                archive_members.extracted(an, cmd, program, p.operands[0], p.value("d"), zipped=True,
                                          wanted=p.operands[1:])
        return
    p = argv.parse(cmd.words[1:], argv.opts("-P --password -O --output-file -b --temp-path -n "
                                             "--suffixes -t -tt -i -x -Z --compression-method"))
    ops = p.operands
    if ops:
        an.file("file_write", p.value("O", "output-file") or ops[0], cmd, program=program)
    for word in ops[1:]:
        flags = ("r",) if p.has("r", "recurse-paths") else ()
        an.file("file_read", word, cmd, flags, program=program)
        if p.has("m", "move"):  # zip -m moves them into the archive
            an.file("file_delete", word, cmd, flags, program=program)


def sevenzip(an: Analysis, cmd: Cmd, program: str) -> None:
    """7z x|e ARCHIVE [-oDIR] [names]; jar xf ARCHIVE; pax -r [-f ARCHIVE | < ARCHIVE]: where the
    members land (7z e drops their directories)."""
    words = [w.text for w in cmd.words[1:]]
    if program == "pax":
        if "-r" not in words and not any(t.startswith("-") and "r" in t[1:] and not t.startswith("--") for t in words):
            return
        given = argv.parse(cmd.words[1:], argv.opts("-f -s -o -p -x -b")).value("f")
        archive_members.extracted(an, cmd, program, given or stdin_archive(cmd), None, zipped=False)
        return
    if program == "jar":
        if words and "x" in words[0].lstrip("-") and "f" in words[0] and len(words) > 1:
            archive_members.extracted(an, cmd, program, cmd.words[2], None, zipped=True, wanted=list(cmd.words[3:]))
        return
    if not words or words[0] not in ("x", "e"):
        return
    rest = [w for w in cmd.words[2:] if not w.text.startswith("-")]
    into = next((Word(w.text[2:], w.dynamic) for w in cmd.words[2:] if w.text.startswith("-o")), None)
    if rest:
        archive_members.extracted(an, cmd, program, rest[0], into, zipped=False, wanted=rest[1:],
                                  flat=words[0] == "e")


def compress(an: Analysis, cmd: Cmd, program: str) -> None:
    """gzip / bzip2 / xz / zstd: each file is read and replaced (written), unless -c keeps it."""
    p = argv.parse(cmd.words[1:], argv.opts("-S --suffix -o --output -T --threads"))
    kind: ActionKind = "file_read" if p.has("c", "stdout", "to-stdout", "l", "list", "t", "test") else "file_write"
    for word in p.operands:
        an.file(kind, word, cmd, program=program)


CPIO_VALUE = argv.opts("-D --directory -F --file -I -O -E --pattern-file -H --format -R --owner -M --message "
                       "--rsh-command -C --io-size")


def cpio(an: Analysis, cmd: Cmd, program: str) -> None:
    """cpio: ``-i`` unpacks the archive it reads (``-F``/``-I``, else its input) into the working
    directory (``-D``), ``-p DIR`` copies the files its input lists into DIR, ``-o`` writes an archive.
    Neither tree can be listed here: over protected files each is an unseen tree."""
    p = argv.parse(cmd.words[1:], CPIO_VALUE)
    archive = p.value("F", "file", "I", "O")
    if p.has("i", "extract"):
        if archive is not None:
            an.file("file_read", archive, cmd, program=program)
        into = p.value("D", "directory")
        an.file("file_write", into or Word("."), cmd, program=program)
        shown = archive.text if archive is not None else "the standard input"
        tree_writes.unseen(an, cmd, program, into, f"a cpio archive Vectimus cannot list ({shown}) unpacked")
    elif p.has("p", "pass-through") and p.operands:
        an.file("file_write", p.operands[0], cmd, ("r",), program=program)
        tree_writes.unseen(an, cmd, program, p.operands[0], "the files cpio -p reads from its input copied")
    elif p.has("o", "create") and archive is not None:
        an.file("file_write", archive, cmd, program=program)


HANDLERS = {
    "cpio": cpio, "tar": tar, "gtar": tar, "bsdtar": tar, "zip": zip_, "unzip": zip_,
    "gzip": compress, "gunzip": compress, "bzip2": compress, "bunzip2": compress, "xz": compress,
    "unxz": compress, "zstd": compress, "unzstd": compress,
    "7z": sevenzip, "7za": sevenzip, "7zr": sevenzip, "7zz": sevenzip, "jar": sevenzip, "pax": sevenzip,
}
