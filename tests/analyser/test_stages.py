"""Each analyser stage on its own: parse, walk + expand, dispatch + peel, the pipeline's wiring.

The stages reach each other only through ``Analysis.shell`` / ``dispatch`` / ``code``, so a test
can stand in a recording analysis for the stages it does not exercise.
"""

from __future__ import annotations

import time

import pytest

from tests.support.analysis import ENV, PROJECT, places
from vectimus.analyser import dispatch, parse, walk
from vectimus.analyser.context import MAX_WORDS, Analysis, Cmd, Input, Scope, Unanalysable, Word
from vectimus.analyser.expand import ansi_c, expand_braces, mark_braces, unescape_double
from vectimus.model import ToolCall

CALL = ToolCall(agent="test", tool="Bash", kind="shell", cwd=PROJECT, project_dir=PROJECT)


class Recorder(Analysis):
    """An analysis whose recursion records what it was handed instead of running other stages."""

    def __init__(self) -> None:
        super().__init__(CALL, places(), ENV)
        self.commands: list[Cmd] = []
        self.shells: list[tuple[str, str]] = []
        self.codes: list[tuple[str, str, str]] = []

    def dispatch(self, cmd: Cmd) -> None:
        self.commands.append(cmd)

    def shell(self, text, cmd, via, *, positional=None, scope=None, stdin=Input()) -> None:
        self.shells.append((text.text, via))

    def code(self, lang, code, cmd, via) -> None:
        self.codes.append((lang, code.text, via))


def walked(text: str) -> Recorder:
    an = Recorder()
    walk.analyse_text(text, an, Scope(places()))
    return an


# -- parse ----------------------------------------------------------------------------------

def test_parse_gives_a_tree_and_keeps_byte_offsets_around_astral_characters():
    data = "echo '😀' && rm x".encode()
    root, _ = parse.parse(parse.astral_free(data), Recorder())
    assert root.type == "program" and not root.has_error
    assert len(parse.astral_free(data)) == len(data)


def test_parse_keeps_the_trees_of_short_texts_by_their_text(monkeypatch):
    an = Recorder()
    kept, notes = parse.parse(b"rm -rf build", an)
    assert parse.parse(b"rm -rf build", an) == (kept, notes)  # the same text: the tree parsed before
    assert parse.parse(b"rm -rf build", an)[1] is notes  # and what the walker noted about it
    other, _ = parse.parse(b"rm -rf built", an)  # one byte changed: its own tree
    assert other is not kept and other.named_children[0].named_children[-1].text == b"built"
    long = b"echo " + b"x" * parse.MAX_TREE_BYTES  # past the size kept: parsed each time
    assert parse.parse(long, an)[0] is not parse.parse(long, an)[0] and long not in parse._TREES
    monkeypatch.setattr(parse, "MAX_TREES", 3)
    for n in range(5):
        parse.parse(b"echo %d" % n, an)
    parse.parse(b"echo 2", an)  # used again: the most recent
    parse.parse(b"echo 5", an)
    assert list(parse._TREES) == [b"echo 4", b"echo 2", b"echo 5"]  # bounded, the least recently used dropped


def test_parse_refuses_once_the_call_has_spent_its_budget():
    an = Recorder()
    an.parse_deadline = time.thread_time() - 1
    with pytest.raises(Unanalysable, match="too complex to parse"):
        parse.parse(b"{;" * 20000, an)


# -- walk and expand ------------------------------------------------------------------------

def test_walk_hands_each_simple_command_on_with_its_values_and_scope():
    an = walked("D=~/x; cd /tmp && rm -rf \"$D\" $'\\x2fetc' {a,b}.log")
    [cd, rm] = an.commands
    assert [w.text for w in cd.words] == ["cd", "/tmp"]
    assert [w.text for w in rm.words] == ["rm", "-rf", "~/x", "/etc", "a.log", "b.log"]  # ~ resolves with the path


def test_walk_feeds_pipes_and_heredocs_as_stdin_and_records_redirects():
    an = walked("echo 'DROP TABLE t;' | psql\ncat <<EOF > notes.txt\nhello\nEOF")
    psql = next(c for c in an.commands if c.words[0].text == "psql")
    assert psql.stdin.kind == "pipe" and psql.stdin.text == "DROP TABLE t;"
    cat = next(c for c in an.commands if c.words[0].text == "cat")
    assert cat.stdin.text == "hello\n"
    assert [(a.kind, a.resource) for a in an.actions] == [("file_write", f"{PROJECT}/notes.txt")]


def test_walk_keeps_plain_words_with_the_tree_and_evaluates_the_others_each_time():
    """A command of plain words has the same words whenever its text is walked (kept with the
    tree, with the nodes they cost); a command with any other word is evaluated in each walk's
    scope; a text whose tree is shared with others (differing in 4-byte characters) keeps nothing."""
    text = "rm -rf build a,b *.o && rm $D 'x' {a,b}.o"
    first, again = walked(text), walked(text)
    plain = (Word("rm"), Word("-rf"), Word("build"), Word("a,b"), Word("*.o", glob=True))
    assert [c.words for c in again.commands] == [c.words for c in first.commands] == [
        plain, (Word("rm"), Word("$D", dynamic=True), Word("x"), Word("a.o"), Word("b.o"))]
    assert again.nodes == first.nodes
    _, notes = parse.parse(text.encode(), again)
    assert list(notes.values()) == [(plain, 5)]
    scoped = Recorder()
    for value in ("a", "b"):
        walk.analyse_text("rm $D", scoped, Scope(places(), {"D": Word(value)}))
    assert [c.words[1].text for c in scoped.commands] == ["a", "b"]
    assert [w.text for w in walked("rm 😀.txt").commands[0].words] == ["rm", "😀.txt"]
    assert [w.text for w in walked("rm 😁.txt").commands[0].words] == ["rm", "😁.txt"]


def test_unknown_values_stay_dynamic():
    [cmd] = walked("rm -rf \"$UNSET\"/x").commands
    assert cmd.words[2].dynamic and not cmd.words[1].dynamic


def test_nul_is_dropped_as_bash_does_and_other_control_bytes_are_refused():
    [cmd] = walked("r\x00m -rf ~").commands
    assert cmd.words[0].text == "rm"
    with pytest.raises(Unanalysable, match="control character U\\+0001"):
        walked("r\x01m -rf ~")
    [cmd] = walked("$'r\\0m' x").commands  # an argument is a C string: it ends at the NUL
    assert cmd.words[0].text == "r"


def test_expand_helpers():
    assert ansi_c("\\x72\\x6d") == "rm"
    assert expand_braces(mark_braces("/{etc,home}")) == ["/etc", "/home"]
    assert expand_braces(mark_braces("{" + ",".join(map(str, range(MAX_WORDS))) + ",~}")) is None
    assert unescape_double('a\\"b\\$c\\d') == 'a"b$c\\d'


# -- dispatch and peel ----------------------------------------------------------------------

def command(*words: str) -> Cmd:
    return Cmd(words=tuple(Word(w) for w in words), raw=" ".join(words), scope=Scope(places()))


def test_dispatch_peels_wrappers_and_records_the_exec_before_its_effects():
    an = Recorder()
    dispatch.dispatch(command("sudo", "nice", "-n", "5", "rm", "-rf", "/srv"), an)
    exec_, delete = an.actions
    assert exec_.kind == "exec" and exec_.program == "rm" and exec_.via == ("sudo", "nice")
    assert delete.kind == "file_delete" and delete.resource == "/srv" and set(delete.flags) >= {"r", "f"}


def test_dispatch_hands_shell_text_and_code_to_the_other_stages():
    an = Recorder()
    dispatch.dispatch(command("bash", "-c", "rm -rf ~"), an)
    dispatch.dispatch(command("python3", "-c", "import os"), an)
    assert an.shells == [("rm -rf ~", "bash -c")]
    assert an.codes == [("python", "import os", "python -c")]


def test_the_exec_actions_arguments_are_kept_by_the_command_line_they_come_from():
    """What an exec action says of its arguments depends on the program and its words alone (kept
    for short command lines): the same texts with an unknown word, or another program, differ."""
    def execs(*commands):
        an = Recorder()
        for cmd in commands:
            dispatch.dispatch(cmd, an)
        return [(a.program, a.subcommand, a.args, a.flags, a.dynamic) for a in an.actions if a.kind == "exec"]

    plain, unknown = command("git", "-C", "x", "push", "-f"), command("git", "-C", "x", "push", "-f")
    unknown = unknown.with_words([*unknown.words[:3], Word("push", dynamic=True), unknown.words[4]])
    text = "x" * dispatch.MAX_KEPT_CHARS
    long = command("echo", text)
    pushed = ("git", "push", ("push",), ("C", "f"))
    assert execs(plain, unknown, plain, long, long) == [
        (*pushed, False), (*pushed, True), (*pushed, False), ("echo", "", (text,), (), False), ("echo", "", (text,), (), False)]
    assert ("echo", long.words) not in dispatch._ARGUMENTS and ("git", plain.words) in dispatch._ARGUMENTS


def test_parsing_the_agents_python_prints_no_warning():
    import warnings

    from vectimus.analyser.languages.python.parse import parse as parse_python

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        tree, why = parse_python('x = "\\d"  # an invalid escape: SyntaxWarning on 3.12, DeprecationWarning before')
    assert tree is not None and not why and seen == []


@pytest.mark.parametrize("language", ["python", "javascript"])
def test_each_library_name_is_handled_in_one_module(language):
    """The library tables are joined from one module per kind of library: a name in two would
    silently take one module's handler."""
    import importlib

    library = importlib.import_module(f"vectimus.analyser.languages.{language}.library")
    for table in ("CALLS", "METHODS", "PROPERTIES", "GENERIC_METHODS"):
        seen: dict = {}
        for kind in library.KINDS:
            for key in getattr(kind, table, {}):
                assert key not in seen, f"{table}[{key!r}] in both {seen[key]} and {kind.__name__}"
                seen[key] = kind.__name__
