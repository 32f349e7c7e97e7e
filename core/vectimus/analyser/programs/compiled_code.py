"""Go and Rust code a command compiles and runs: ``go run``/``go test`` (and ``go build``/``go install``,
whose program runs next), ``cargo run|test|build|…``, ``rustc FILE``.

What runs is read from the files, size-bounded like every script (``runs.run_file``), and analysed
as Go or Rust attributed to each file. A file named on the command line (``go run main.go``,
``rustc x.rs``) and a crate's build script (``build.rs``, which every cargo command that compiles
runs) are always read. Of the rest of a package or crate — ``go test ./...`` and ``cargo test``
may compile thousands of files that came with the repository — only the files the agent wrote in
this call or session (``runs.by_agent``) are read, at most ``MAX_READ``: they are found among the
paths this call and the session ledger hold, without listing the repository; only when the agent
wrote at paths the ledger could not see are the folders listed, at most ``MAX_DIRS`` directories
and ``MAX_LISTED`` files. Past those limits the call has code Vectimus did not read
(``runs.unread``).
A C compiler's output is the agent's file, written with content Vectimus cannot see (``c_compiler``),
unless the agent's C code is plain (``c_plain``: it can only compute and print).
Standard library only: imported when go, cargo, rustc or a C compiler runs.
"""

from __future__ import annotations

import itertools
import os

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

MAX_DIRS = 400      # directories listed for one command
MAX_LISTED = 4000   # source files listed for one command
MAX_READ = runs.MAX_FILES  # files the agent wrote, read for one command
GO_SKIPS = frozenset(("vendor", "testdata"))  # go leaves these out, and names starting "." or "_"
GO_RUN_VALUE = argv.opts("-exec -o -tags -ldflags -gcflags -mod -modfile -p -C -overlay -pkgdir -toolexec "
                         "-run -skip -bench -count -timeout -cpu -parallel -coverprofile -covermode -coverpkg "
                         "-benchtime -cpuprofile -memprofile -blockprofile -outputdir -json -vet -shuffle")
RUSTC_VALUE = argv.opts("-o --out-dir --edition --crate-type --crate-name --emit --cfg -L -l --target -C "
                        "--codegen -A -W -D -F --cap-lints --explain --extern --sysroot --error-format --json")


def go(an: Analysis, cmd: Cmd, sub: str, words: list[Word]) -> None:
    """``go run|test|build|install``: the Go files they compile (to run)."""
    p = argv.parse(words, GO_RUN_VALUE, stop_at_operand=sub == "run", long_single_dash=True)
    for name in ("exec", "toolexec"):  # the program go runs the binary (-exec) or each build tool through
        for word in p.all(name):
            an.shell(word, cmd, f"go {sub} -{name}")
    operands = list(p.operands)
    if sub != "test":
        files = []
        while operands and operands[0].text.endswith(".go"):
            files.append(operands.pop(0))
        for word in files:
            runs.run_file(an, cmd, word, runner="go", label=f"go {sub} {word.text}")
        packages = [] if files else (operands[:1] if sub == "run" else operands) or [Word(".")]
    else:
        packages = [w for w in operands if not w.text.startswith("-")] or [Word(".")]
    packages = [w for w in packages if w.dynamic or w.text.startswith((".", "/")) or "@" not in w.text]
    if any(w.dynamic for w in packages):
        runs.unread(an, cmd, "", f"go {sub}", runs.agent_wrote_anything(an), "packages named by an unknown value")
        return
    test = sub == "test"
    dirs = []
    for word in packages:
        recursive = word.text.endswith("/...") or word.text == "..."
        target = an.target(Word(word.text[:-4] or "." if recursive else word.text), cmd.scope)
        if target.is_dir or any(p.startswith(target.path.rstrip("/") + "/") for p in an.pending):
            dirs.append((target.path, recursive))  # (made by this call, as the files it writes there)

    def wanted(rest: str) -> bool:
        parts = rest.split("/")
        return rest.endswith(".go") and (test or not rest.endswith("_test.go")) \
            and not any(p.startswith((".", "_")) or p in GO_SKIPS for p in parts) and parts[-1] not in GO_SKIPS

    from vectimus.analyser.programs import go_build_tags

    tags = go_build_tags.given_tags(an, cmd, p.value("tags"))
    _agents_files(an, cmd, dirs, wanted, "go", f"go {sub}",
                  left_out=lambda path: go_build_tags.left_out(an, path, tags))


def cargo(an: Analysis, cmd: Cmd, sub: str, p) -> None:
    """A cargo command that compiles: the build script, and for ``run``/``test``/``bench`` the
    crate's code the agent wrote."""
    manifest = p.value("manifest-path")
    if manifest is not None and manifest.dynamic:
        runs.unread(an, cmd, "", f"cargo {sub}", runs.agent_wrote_anything(an), "a manifest named by an unknown value")
        return
    root = _crate_root(an, cmd, manifest)
    if root is None:
        return
    script = _build_script(an, cmd, root)
    if script:
        runs.run_file(an, cmd, Word(script), runner="rust", label=f"cargo {sub}: {runs.display(an, script)}")
    if sub in ("run", "r"):
        folders = [(os.path.join(root, "src"), True)]
    elif sub in ("test", "t", "bench"):
        folders = [(os.path.join(root, d), True) for d in ("src", "tests", "benches", "examples")]
    else:
        return
    _agents_files(an, cmd, folders, _rust_source, "rust", f"cargo {sub}", skip=script)


def _rust_source(rest: str) -> bool:
    """A Rust source file a crate may compile (``rest`` below one of its folders)."""
    return rest.endswith(".rs") and not rest.startswith(("target/", ".")) and "/." not in rest


def rustc(an: Analysis, cmd: Cmd, name: str) -> None:
    """``rustc FILE.rs``: the program it builds runs next (``rustc x.rs && ./x``); its code is read now."""
    p = argv.parse(list(cmd.words[1:]), RUSTC_VALUE)
    for word in p.operands:
        if word.dynamic or word.text.endswith(".rs"):
            runs.run_file(an, cmd, word, runner="rust", label=f"rustc {word.text}")


def _crate_root(an: Analysis, cmd: Cmd, manifest: Word | None) -> str | None:
    """The directory of the crate's ``Cargo.toml`` (the given one, else the nearest above the directory)."""
    if manifest is not None:
        return os.path.dirname(an.target(manifest, cmd.scope).path)
    if cmd.scope.cwd_dynamic:
        return None
    folder = cmd.scope.places.cwd.rstrip("/") or "/"
    for _ in range(64):
        path = os.path.join(folder, "Cargo.toml")
        if path in an.pending or world.isfile(path):
            return folder
        if folder == "/":
            return None
        folder = os.path.dirname(folder)
    return None


def _build_script(an: Analysis, cmd: Cmd, root: str) -> str:
    """The crate's build script: ``package.build`` in its manifest, else ``build.rs`` beside it."""
    import tomllib

    manifest = os.path.join(root, "Cargo.toml")
    found = runs.source(an, cmd, manifest)
    named = "build.rs"
    if found is not None:
        try:
            package = tomllib.loads(found[0]).get("package")
        except tomllib.TOMLDecodeError:
            package = None
        build = package.get("build") if isinstance(package, dict) else None
        if build is False:
            return ""
        if isinstance(build, str):
            named = build
    path = os.path.normpath(os.path.join(root, named))
    return path if path in an.pending or world.isfile(path) else ""


def _agents_files(an: Analysis, cmd: Cmd, folders: list[tuple[str, bool]], wanted, lang: str, label: str,
                  skip: str = "", left_out=None) -> None:
    """Analyse the files under ``folders`` (each searched below when its flag says so) that ``wanted``
    accepts (by their path below the folder) and the agent wrote, but those the build ``left_out``
    (a Go file's build constraint); bounded as the module says."""
    ledger = runs.session(an)
    found = _written_below(an, [*an.pending, *ledger.files], folders, wanted)
    if ledger.unseen_since is not None or ledger.full:  # written at paths the ledger does not hold: look
        listed = _listed(folders, wanted)
        if listed is None:
            _too_many(an, cmd, label)
            return
        found |= listed
    read = 0
    for path in sorted(found):
        if path == skip or not runs.by_agent(an, path) or (left_out is not None and left_out(path)):
            continue
        read += 1
        if read > MAX_READ:
            _too_many(an, cmd, label)
            return
        runs.run_file(an, cmd, Word(path), runner=lang, label=f"{label}: {runs.display(an, path)}")


def _written_below(an: Analysis, paths, folders: list[tuple[str, bool]], wanted) -> set[str]:
    """Of the files the agent wrote, those in ``folders`` (directly, or below for a recursive one)."""
    out = set()
    for path in paths:
        for top, recursive in folders:
            top = top.rstrip("/") + "/"
            rest = path[len(top):] if path.startswith(top) else ""
            if rest and (recursive or "/" not in rest) and wanted(rest):
                out.add(path)
    return out


def _listed(folders: list[tuple[str, bool]], wanted) -> set[str] | None:
    """Every file in ``folders`` that ``wanted`` accepts; None past ``MAX_DIRS`` or ``MAX_LISTED``."""
    out: set[str] = set()
    dirs = listed = 0
    for top, recursive in folders:
        for folder, subdirs, names in world.walk(top):
            dirs += 1
            listed += len(names)
            if dirs > MAX_DIRS or listed > MAX_LISTED:
                return None
            subdirs[:] = [d for d in subdirs if recursive and not d.startswith(".") and d != "target"]
            base = os.path.relpath(folder, top)
            out.update(os.path.join(folder, n) for n in names
                       if wanted(n if base == "." else f"{base}/{n}"))
    return out


def _too_many(an: Analysis, cmd: Cmd, label: str) -> None:
    runs.unread(an, cmd, "", label, runs.agent_wrote_anything(an),
                f"more than {MAX_DIRS} directories, {MAX_LISTED} files or {MAX_READ} files the agent wrote to read")


C_VALUE = argv.opts("-o -I -L -l -D -U -x -MF -MT -MQ -T -u -e -z -include -imacros -isystem -iquote -idirafter "
                    "-Xlinker -Xassembler -Xpreprocessor")
C_COMPILERS = ("cc", "gcc", "g++", "c++", "clang", "clang++", "tcc")


C_CODE = (".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".inc", ".i", ".s", ".o", ".a", ".so")


def c_compiler(an: Analysis, cmd: Cmd, name: str) -> None:
    """cc/gcc/clang: when what it builds holds code the agent wrote (``_agents_code``), the file it
    writes (``-o FILE``; ``a.out`` when it links without one) is written by the call with content
    Vectimus cannot see: a program or library the agent built, which is unread when it runs or is
    loaded (``gcc -shared -o lib/libz.so.1 x.c``, then ``LD_LIBRARY_PATH=lib``). The repository's
    own code built is the repository's program, as its scripts are."""
    p = argv.parse(cmd.words[1:], C_VALUE)
    out = p.value("o")
    if out is None and (p.has("c", "S", "E", "M", "MM", "fsyntax-only", "v", "version", "dumpversion")
                        or not p.operands):
        return
    if _agents_code(an, cmd, p.operands) and not _plain(an, cmd, p):
        an.file("file_write", out if out is not None else Word("a.out"), cmd, program=name)


def _plain(an: Analysis, cmd: Cmd, p) -> bool:
    """Whether the agent's code a C compiler builds is plain (``c_plain``): the program it writes can
    only compute and print, and runs as the repository's own programs do."""
    ledger = runs.session(an)
    if ledger.full or ledger.unseen_since is not None or an.unseen_writes:
        return False  # the agent's files cannot all be named
    from vectimus.analyser.programs import c_plain

    named = {an.target(w, cmd.scope).path for w in p.operands if not w.glob}
    written = {path for path in (*ledger.files, *an.pending)
               if path.lower().endswith(C_CODE) or path in named}
    return c_plain.build(an, cmd, p, written)


def _agents_code(an: Analysis, cmd: Cmd, sources: list[Word]) -> bool:
    """Whether a C compiler's output holds code the agent wrote: a source it names (or reads from its
    input) that the agent wrote, or any C source, header or object the agent wrote this session
    (an ``#include`` or the link picks it up)."""
    if any(w.dynamic or w.text == "-" for w in sources):
        return True
    if any(runs.by_agent(an, an.target(w, cmd.scope).path) for w in sources if not w.glob):
        return True
    kept = an.memo.get("c code")  # [pending writes looked at, whether C is among them]: make compiles often
    if kept is None:
        ledger = runs.session(an)
        kept = an.memo["c code"] = [0, ledger.full or any(p.lower().endswith(C_CODE) for p in ledger.files)]
    if not kept[1]:
        kept[1] = any(p.lower().endswith(C_CODE) for p in itertools.islice(an.pending, kept[0], None))
        kept[0] = len(an.pending)
    return kept[1]


HANDLERS = {"rustc": rustc, **dict.fromkeys(C_COMPILERS, c_compiler)}
