"""Property-based tests: on any input the analyser terminates and raises nothing but Unanalysable."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.analysis import call, shell
from vectimus.analyser import Unanalysable
from vectimus.model import ACTION_KINDS

# Pieces of shell syntax, so generated text exercises the grammar rather than only plain words.
TOKENS = ["rm", "-rf", "/", "~", "*", "git", "push", "--force", "sudo", "env", "X=1", "bash", "-c",
          "sh", "eval", "python3", "'import os; os.remove(\"/x\")'", "curl", "-d", "@.env",
          "http://h/", "|", "||", "&&", ";", "&", "\n", "(", ")", "{", "}", "$(", "`", '"', "'", "\\",
          "$X", "${Y:-/tmp}", "<<EOF", "EOF", "<<<", ">", ">>", "2>&1", "<", "/dev/tcp/h/1", "for",
          "in", "do", "done", "if", "then", "fi", "case", "esac", ")", "xargs", "find", "-exec", "{}",
          "\\;", "-delete", "cd", "..", "$'\\x72m'", "tee", "cp", "a", "b", "npm", "install", "pip",
          "nc", "-e", "watch", "timeout", "5", "node", "-e", "perl", "ruby", "#", "!", "[[", "]]"]
SETTINGS = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def check(actions) -> None:
    assert isinstance(actions, list)
    for action in actions:
        assert action.kind in ACTION_KINDS
        assert isinstance(action.resource, str)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup(text):
    try:
        check(shell(text))
    except Unanalysable as exc:
        assert str(exc) and "\n" not in str(exc)


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    try:
        check(shell(text))
    except Unanalysable as exc:
        assert str(exc)


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_powershell(text):
    try:
        check(shell(text, shell="powershell"))
    except Unanalysable as exc:
        assert str(exc)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["command", "path", "url", "x", "file", "cmd"]),
                                      inner, max_size=4), max_leaves=20)


@SETTINGS
@given(JSON)
def test_arbitrary_mcp_arguments(arguments):
    try:
        check(call("mcp", "mcp__srv__write_file", mcp_server="srv", mcp_tool="write_file",
                   arguments=arguments))
        check(call("unknown", "SomeTool", arguments=arguments))
    except Unanalysable as exc:
        assert str(exc)


def test_deep_nesting_is_unanalysable_not_a_crash():
    with pytest.raises(Unanalysable, match="nested"):
        shell("eval " * 12 + "rm -rf /")


def test_huge_command_is_unanalysable():
    with pytest.raises(Unanalysable, match="longer"):
        shell("echo " + "x" * 70_000)


def test_too_many_actions_is_unanalysable():
    with pytest.raises(Unanalysable, match="actions"):
        shell("; ".join(f"rm f{i}" for i in range(400)))


def test_deep_subshells_are_bounded():
    try:
        shell("(" * 400 + "ls" + ")" * 400)
    except Unanalysable as exc:
        assert str(exc)


def test_deep_json_is_unanalysable():
    value = "x"
    for _ in range(20):
        value = {"x": value}
    try:
        call("unknown", "Tool", arguments=value)
    except Unanalysable as exc:
        assert "nested" in str(exc)
    else:
        raise AssertionError("20 levels of JSON analysed")


def test_astral_characters_after_a_brace_do_not_crash_the_process():
    """tree-sitter-bash#337: 4-byte UTF-8 after ``{`` can SIGSEGV the parser. Run in a child
    process so that a crash fails this test instead of killing the test run."""
    import subprocess
    import sys
    script = (
        "import random\n"
        "from tests.support.analysis import shell\n"
        "from vectimus.analyser import Unanalysable\n"
        "random.seed(7)\n"
        "for i in range(3000):\n"
        "    s = ''.join(random.choice(['{', '}', ' ', 'a', '$', chr(random.randint(0x10000, 0x10FFFF))])\n"
        "                for _ in range(random.randint(1, 12)))\n"
        "    try:\n"
        "        shell(s)\n"
        "    except Unanalysable:\n"
        "        pass\n"
    )
    import pathlib
    done = subprocess.run([sys.executable, "-c", script], cwd=pathlib.Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


CODE_TOKENS = ["import os;", "os.system(", "os.remove(", "shutil.rmtree(", "open(", "subprocess.run(",
               "requests.post(", "exec(", "eval(", "'rm -rf /'", '"/etc/x"', "[", "]", "(", ")", ",",
               "'w'", "data=", "x = '/tmp'", "x", ";", "\n", "`ls`", "%x(", "qx(", "system", "unlink",
               "require('fs').rmSync(", "fetch(", "'http://h/'", "{", "}", "\\", "'", '"', "$v", "#{x}"]


AWK_SED_TOKENS = ["system(", ")", "(", "\"rm -rf ~\"", "print", "|", "|&", "getline", "<", ">", ">>",
                  "\"/inet/tcp/0/h/1\"", "ENVIRON", "[", "]", "{", "}", ";", "\n", "/re/", "/", "$0", "x",
                  "=", "\"", "\\", "#", "s/a/b/e", "e", "w f", "r f", "1,", "$!", "a\\", "y/a/b/", ":l",
                  "b", "!", "s|x|y|w /etc/x", "~", "0~2", "\"", "'", "++", "in"]


@SETTINGS
@given(st.sampled_from(["python3", "node", "perl", "ruby", "php"]),
       st.lists(st.sampled_from(CODE_TOKENS), max_size=40).map(" ".join))
def test_interpreter_code_soup(interpreter, code):
    import shlex
    flag = {"python3": "-c", "node": "-e", "perl": "-e", "ruby": "-e", "php": "-r"}[interpreter]
    try:
        check(shell(f"{interpreter} {flag} {shlex.quote(code)}"))
    except Unanalysable as exc:
        assert str(exc)


def test_non_shell_calls_do_not_import_tree_sitter():
    import subprocess
    import sys
    script = ("import sys\nfrom tests.support.analysis import call\n"
              "call('file_write', 'Write', paths=('x.txt',))\n"
              "call('mcp', 'mcp__a__b', mcp_server='a', mcp_tool='b', arguments={'path': 'x'})\n"
              "assert 'tree_sitter' not in sys.modules, 'tree_sitter imported'\n"
              "from tests.support.analysis import shell\nshell('ls')\nassert 'tree_sitter' in sys.modules\n")
    import pathlib
    done = subprocess.run([sys.executable, "-c", script], cwd=pathlib.Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["python3 -c", "node -e", "perl -e", "ruby -e", "php -r", "bash -c", "eval", "awk",
                        "sed", "lua -e", "Rscript -e"]),
       st.sampled_from(CODE_TOKENS + TOKENS + AWK_SED_TOKENS + ["x", "a=", "system ", "{", "'"]),
       st.integers(min_value=1000, max_value=6000))
def test_long_repetitive_input_stays_bounded(runner, token, count):
    """Repeating one token thousands of times must not make the analysis quadratic.

    Bounded in CPU time, not wall-clock time, so a busy machine does not fail it."""
    import shlex
    import time
    started = time.thread_time()
    try:
        check(shell(f"{runner} {shlex.quote(token * count)}"))
    except Unanalysable as exc:
        assert str(exc)
    assert time.thread_time() - started < 5


def test_input_the_grammar_takes_seconds_on_is_cut_off_by_the_parse_budget():
    # tree-sitter's error recovery takes about two seconds on this (half the 64 KB limit)
    with pytest.raises(Unanalysable, match="too complex to parse"):
        shell("{;" * 16_000)
    assert shell("git status && ls -la")[0].program == "git"  # the parser works again afterwards


@SETTINGS
@given(st.sampled_from(["awk", "gawk -v x=1", "sed", "sed -n -e"]),
       st.lists(st.sampled_from(AWK_SED_TOKENS), max_size=40).map(" ".join) | st.text(max_size=200))
def test_awk_and_sed_programs_never_raise_anything_else(program, code):
    import shlex
    try:
        check(shell(f"{program} {shlex.quote(code)} f"))
    except Unanalysable as exc:
        assert str(exc) and "\n" not in str(exc)


PS_TOKENS = ["iex", "(", ")", "New-Object", "Net.WebClient", ".DownloadString(", "'https://h/x'", "|", ";",
             "Remove-Item", "-Recurse", "-Force", "$HOME", "C:\\", "'", '"', "`", "$(", "{", "}", ",",
             "-enc", "powershell", "cmd", "/c", "Start-Process", "-ArgumentList", "gci", "env:", "HKCU:\\Run",
             "[IO.File]::ReadAllText(", "TCPClient(", "$x", "=", "@'", "'@", "\n", "&", ">", "2>&1"]


@SETTINGS
@given(st.lists(st.sampled_from(PS_TOKENS), max_size=40).map(" ".join))
def test_powershell_token_soup(text):
    for runner in (lambda t: shell(t, shell="powershell"), lambda t: shell("pwsh -c " + shlex_quote(t))):
        try:
            check(runner(text))
        except Unanalysable as exc:
            assert str(exc) and "\n" not in str(exc)


def shlex_quote(text: str) -> str:
    import shlex
    return shlex.quote(text)


LANG_TOKENS = {
    "ruby -e": ["system(", "`", "%x(", ")", "(", "\"rm -rf ~\"", "'", '"', "#{", "}", "ENV", ".to_h", "eval", "x",
                "=", ";", "\n", "File.read(", "TCPSocket.new(", "do", "end", "{", "|f|", "<<~EOS", "EOS", ",", "::"],
    "perl -e": ["system", "(", ")", "`", "qx{", "}", "%ENV", "$ENV{HOME}", "eval", "{", "$x", "=", ";", "\"",
                "'", "open(F, \"|sh\")", "unlink", "->new(", "=>", ",", "q(", "s/a/b/e", "<<EOF", "EOF", "\n"],
    "php -r": ["system(", "exec(", ")", "(", "`", "$x", "=", ";", "\"", "'", "{$", "}", "getenv()", "eval(",
               "base64_decode(", "'cm0gLXJmIH4='", "<?php", "?>", "[", "]", "=>", ",", "\n", "<<<EOT", "EOT"],
    "lua -e": ["os.execute(", "io.popen(", ")", "(", "\"", "'", "[[", "]]", "..", "local x =", "x", "load(",
               "end", "function", "do", "while", "true", ":connect(", ",", "\n", "--", "--[[", "{", "}"],
    "Rscript -e": ["system(", "unlink(", ")", "(", "\"", "'", "r\"(", ")\"", "<-", "x", "=", "TRUE", ",",
                   "eval(parse(text =", "{", "}", "[[", "]]", "`", "%>%", "\n", "#", "c(", "paste0("],
}


@SETTINGS
@given(st.sampled_from(sorted(LANG_TOKENS)).flatmap(
    lambda runner: st.tuples(st.just(runner),
                             st.lists(st.sampled_from(LANG_TOKENS[runner]), max_size=40).map(" ".join)
                             | st.text(max_size=200))))
def test_code_languages_never_raise_anything_else(runner_and_code):
    import shlex
    runner, code = runner_and_code
    try:
        check(shell(f"{runner} {shlex.quote(code)}"))
    except Unanalysable as exc:
        assert str(exc) and "\n" not in str(exc)


def test_grammars_survive_random_bytes_in_a_child_process():
    """tree-sitter grammars can crash the process on hostile input: feed each grammar random
    fragments (astral characters included) in a child process, so a crash fails this test."""
    import subprocess
    import sys
    script = (
        "import random\n"
        "from tests.support.analysis import shell\n"
        "from vectimus.analyser import Unanalysable\n"
        "random.seed(11)\n"
        "alphabet = ['{', '}', '(', ')', '\"', \"'\", '`', '$', '#', '<<', 'x', ' ', '\\n', '\\\\', '%', '@',\n"
        "            chr(0x1F600), chr(0x10FFFF), chr(0x2028), 'é', '=', ';', '|', '[', ']']\n"
        "for runner in ('ruby -e', 'perl -e', 'php -r', 'lua -e', 'pwsh -c'):\n"
        "    for i in range(400):\n"
        "        s = ''.join(random.choice(alphabet) for _ in range(random.randint(1, 40)))\n"
        "        try:\n"
        "            shell(runner + \" '\" + s.replace(\"'\", \"'\\\\''\") + \"'\")\n"
        "        except Unanalysable:\n"
        "            pass\n"
        "from tests.support.analysis import code\n"
        "for lang in ('go', 'rust'):\n"
        "    for i in range(400):\n"
        "        s = ''.join(random.choice(alphabet + ['func ', 'fn ', '::', '!', 'exec.Command', 'Command::new'])\n"
        "                    for _ in range(random.randint(1, 40)))\n"
        "        try:\n"
        "            code(s, lang, 'go' if lang == 'go' else 'cargo', 'run')\n"
        "        except Unanalysable:\n"
        "            pass\n"
    )
    import pathlib
    done = subprocess.run([sys.executable, "-c", script], cwd=pathlib.Path(__file__).parents[2],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_sed_script_ending_in_a_backslash_newline_gives_a_one_line_reason():
    with pytest.raises(Unanalysable) as raised:
        shell("sed $'\\\\\\n' f")
    assert "\n" not in str(raised.value)
