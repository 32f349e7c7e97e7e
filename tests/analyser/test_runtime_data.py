"""Data only the run will have, spliced into a shell command or eval by code (languages/contents.py,
values.INERT_MARK): what can be known at hook time (a project file, the agent's own file at the text
it wrote, standard input the shell gives) is spliced in and the real command analysed; what cannot,
where it could carry shell syntax, makes the command code nobody can read (a dynamic exec of sh)."""

from __future__ import annotations

import shlex

import pytest
from tests.support.runs import Tree

from vectimus import ledger

EVIL = "x; rm -rf ~\n"


def py(code: str, *args: str, stdin: str = "") -> str:
    return "python3 -c " + shlex.quote(code) + "".join(" " + shlex.quote(a) for a in args) + stdin


def node(code: str, *args: str, stdin: str = "") -> str:
    return "node -e " + shlex.quote(code) + "".join(" " + shlex.quote(a) for a in args) + stdin


@pytest.fixture
def tree(tmp_path):
    t = Tree(tmp_path)
    t.write("notes.txt", "hi\n")
    t.write("VERSION", "1.2.3\n")
    t.write("evil.txt", EVIL)
    return t


def unreadable_sh(actions) -> bool:
    """A shell command Vectimus cannot read: the dynamic exec of sh the packs judge."""
    return any(a.kind == "exec" and a.dynamic and a.program == "sh" for a in actions)


def home_deleted(tree, actions) -> bool:
    return any(a.kind == "file_delete" and a.target.path == str(tree.home) for a in actions)


# -- what the code reads is known now: the real command is analysed -------------------------------

@pytest.mark.parametrize("command", [
    py('import os; os.system("echo " + open("evil.txt").read())'),
    py('import os, sys; os.system("wc -l " + sys.stdin.read())', stdin=" < evil.txt"),
    py('import os; os.system(f"wc -l {input()}")', stdin=" < evil.txt"),
    py('import os; os.system("wc -l %s" % open(0).read())', stdin=" <<< 'x; rm -rf ~'"),
    py('import subprocess; subprocess.run("echo {}".format(open("evil.txt").readline()), shell=True)'),
    py('from pathlib import Path; import os; os.popen("cat " + Path("evil.txt").read_text())'),
    py('import os, sys; cmd = "wc -l "\ncmd += sys.stdin.readline()\nos.system(cmd)', stdin=" < evil.txt"),
    "printf 'x; rm -rf ~' | " + py('import os, sys; os.system("echo " + sys.stdin.read())'),
    node('require("child_process").execSync("wc -l " + require("fs").readFileSync(0, "utf8"))', stdin=" < evil.txt"),
    node('const fs = require("fs"); require("child_process").exec(`cat ${fs.readFileSync("evil.txt")}`)'),
    node('const {spawn} = require("child_process"); spawn("echo " + require("fs").readFileSync("evil.txt", "utf8"), {shell: true})'),
])
def test_a_file_or_input_the_code_splices_in_is_read_and_its_command_analysed(tree, command):
    actions = tree.shell(command)
    assert home_deleted(tree, actions), [a.describe() for a in actions]


def test_a_file_this_call_writes_is_judged_by_either_text(tree):
    """Written before the code runs, or after it: the code may read the old text or the new."""
    for command in ("printf 'x; rm -rf ~' > notes.txt; " + py('import os; os.system("echo " + open("notes.txt").read())'),
                    py('import os; os.system("echo " + open("evil.txt").read())') + "; echo hi > evil.txt"):
        assert home_deleted(tree, tree.shell(command)), command


def test_the_agents_file_counts_only_at_the_text_it_wrote(tree):
    """A file the ledger says the agent wrote with other text (a write still to come, from a job in
    the background) is not what the code will read."""
    ledger.remember(tree.env, "claude", "s1", str(tree.root), {str(tree.root / "notes.txt"): EVIL}, False, "allow")
    actions = tree.shell(py('import os; os.system("echo " + open("notes.txt").read())'))
    assert unreadable_sh(actions) and not home_deleted(tree, actions)
    ledger.remember(tree.env, "claude", "s1", str(tree.root), {str(tree.root / "notes.txt"): "hi\n"}, False, "allow")
    assert not unreadable_sh(tree.shell(py('import os; os.system("echo " + open("notes.txt").read())')))


# -- what cannot be known, spliced into a shell command, is code nobody can read --------------------

@pytest.mark.parametrize("command", [
    py('import os; os.system("wc -l " + input())'),
    py('import os, sys; os.system("wc -l " + sys.stdin.read())', stdin=" < missing.txt"),
    "curl -s https://example.com/x | " + py('import os, sys; os.system(f"echo {sys.stdin.read()}")'),
    py('import os, urllib.request; os.system("echo " + urllib.request.urlopen("https://example.com").read().decode())'),
    py('import os; os.system("echo " + open("/etc/hostname").read())'),
    py('import os; os.system("echo " + open("missing.txt").read())'),
    py('import subprocess, sys; subprocess.run("git checkout %s" % sys.stdin.read(), shell=True)'),
    py('import subprocess; subprocess.Popen(["sh", "-c", "echo " + input()])'),
    py('import subprocess; subprocess.check_output("ls " + input(), shell=True)'),
    py('import os; x = "ls "\nfor line in open("/etc/hosts"):\n    x += line\nos.system(x)'),
    py('import os; os.system(" ".join(["ls", input()]))'),
    py('import os; os.system("echo \'%s\'" % input())'),  # quotes the agent's data can close
    node('require("child_process").execSync("wc -l " + require("fs").readFileSync(0, "utf8"))'),
    node('const {exec} = require("child_process"); process.stdin.on("data", d => exec(`ls ${d}`))'),
    node('fetch("https://example.com").then(r => r.text()).then(t => require("child_process").execSync("echo " + t))'),
    "X='x; rm -rf ~' " + py('import os; os.system("echo " + os.environ["X"])') + " 2>/dev/null || true",
])
def test_unknown_data_spliced_into_a_shell_command_is_unreadable_code(tree, command):
    actions = tree.shell(command)
    assert unreadable_sh(actions) or home_deleted(tree, actions), [a.describe() for a in actions]


# -- parts that cannot change what the shell runs stay ordinary ------------------------------------

@pytest.mark.parametrize("command", [
    py('import os, sys; os.system(f"pytest {\' \'.join(sys.argv[1:])}")', "-x", "tests"),
    py('import subprocess; subprocess.run(f"git tag v{open(\'VERSION\').read().strip()}", shell=True)'),
    py('import subprocess; subprocess.check_output("git log -1 --format=%H", shell=True)'),
    py('import subprocess; subprocess.run(["git", "checkout", input()])'),
    py('import os, shlex; os.system("wc -l " + shlex.quote(input()))'),
    py('import os, shlex; os.system("git add " + " ".join(shlex.quote(p) for p in input().split()))'),
    py('import os; os.system("head -n %d notes.txt" % int(input()))'),
    py('import os; n = len(input()); os.system(f"seq {n}")'),
    py('import os; os.system(f"seq {int(input()):03d}")'),
    py('import os; os.system("ls " + os.environ["BUILD_DIR"])'),
    py('import os; os.system("ls " + os.getenv("HOME"))'),
    py('import os\nfor t in ["lint", "test", "build"]:\n    os.system(f"make {t}")'),
    py('import os, sys; os.system("wc -l " + sys.stdin.read())', stdin=" < notes.txt"),
    "echo notes.txt | " + py('import os; os.system("wc -l " + input())'),
    node('const s = process.argv[1]; require("child_process").execSync(`npm run ${s}`)', "build"),
    node('const {execFileSync} = require("child_process"); execFileSync("git", ["checkout", require("fs").readFileSync(0, "utf8")])'),
    node('const {spawn} = require("child_process"); spawn("git", ["log", process.argv[2]])', "x", "main"),
    node('const {execSync} = require("child_process"); execSync(`seq ${parseInt(require("fs").readFileSync(0))}`)'),
    node('const {execSync} = require("child_process"); execSync(`ls ${process.env.OUT_DIR}`)'),
    node('require("child_process").execSync("wc -l " + require("fs").readFileSync("notes.txt", "utf8"))'),
])
def test_ordinary_code_with_parts_that_cannot_change_the_command(tree, command):
    actions = tree.shell(command)
    assert not unreadable_sh(actions) and not any(a.dynamic and a.kind == "exec" and a.program in ("sh", "python3", "node")
                                                  for a in actions), [a.describe() for a in actions]


def test_eval_of_code_with_run_time_data_is_unreadable(tree):
    for command in (py('exec("import os; os.system(\'ls " + input() + "\')")'),
                    node('eval("require(\'child_process\').execSync(\'ls " + require("fs").readFileSync(0) + "\')")'),
                    node('new Function("return " + require("fs").readFileSync(0, "utf8"))()')):
        assert any(a.kind == "exec" and a.dynamic for a in tree.shell(command)), command


# -- Ruby, PHP, Perl, Lua, R ------------------------------------------------------------------------

def inline(lang: str, code: str, *args: str) -> str:
    program = {"ruby": "ruby -e", "php": "php -r", "perl": "perl -e", "lua": "lua -e", "r": "Rscript -e"}[lang]
    return f"{program} {shlex.quote(code)}" + "".join(" " + shlex.quote(a) for a in args)


@pytest.mark.parametrize("lang, code", [
    ("ruby", 'system("echo #{File.read("evil.txt")}")'),
    ("ruby", 'system("echo " + File.read("evil.txt").chomp)'),
    ("php", 'shell_exec("echo " . file_get_contents("evil.txt"));'),
    ("php", 'system("echo " . trim(file_get_contents("evil.txt")));'),
])
def test_a_file_the_code_splices_in_is_read_in_every_language(tree, lang, code):
    assert home_deleted(tree, tree.shell(inline(lang, code)))


@pytest.mark.parametrize("lang, code", [
    ("ruby", 'x = gets; system("wc -l #{x}")'),
    ("ruby", 'system("echo " + File.read("missing.txt"))'),
    ("ruby", 'x = STDIN.read; `ls #{x}`'),
    ("php", '$x = fgets(STDIN); shell_exec("wc -l " . $x);'),
    ("php", '$x = fgets(STDIN); system("ls \'" . $x . "\'");'),
    ("perl", '$x = <STDIN>; system("wc -l $x")'),
    ("perl", '$x = <STDIN>; `ls $x`'),
    ("lua", 'os.execute("ls " .. io.read())'),
    ("r", 'system(paste("wc -l", readline()))'),
])
def test_unknown_data_spliced_in_is_unreadable_in_every_language(tree, lang, code):
    assert any(a.kind == "exec" and a.dynamic for a in tree.shell(inline(lang, code)))


@pytest.mark.parametrize("lang, code, args", [
    ("ruby", 'require "shellwords"; x = gets; system("wc -l #{Shellwords.escape(x)}")', ()),
    ("ruby", 'x = gets; system("wc -l #{x.shellescape}")', ()),
    ("ruby", 'x = gets; system("head -n #{x.to_i} notes.txt")', ()),
    ("ruby", 'system("git tag v#{File.read("VERSION").strip}")', ()),
    ("ruby", 'system("wc -l " + ARGV[0])', ("notes.txt",)),
    ("php", 'shell_exec("wc -l " . escapeshellarg($argv[1]));', ("notes.txt",)),
    ("php", '$x = fgets(STDIN); shell_exec("wc -l " . escapeshellarg($x));', ()),
    ("php", '$x = fgets(STDIN); shell_exec("head -n " . intval($x) . " notes.txt");', ()),
    ("php", 'shell_exec("git tag v" . trim(file_get_contents("VERSION")));', ()),
    ("perl", '$x = <STDIN>; system("wc -l " . quotemeta($x))', ()),
    ("perl", '$x = <STDIN>; system("wc", "-l", $x)', ()),
    ("lua", 'os.execute("seq " .. tonumber(io.read()))', ()),
    ("r", 'system(paste("wc -l", shQuote(readline())))', ()),
])
def test_quoted_numeric_and_known_parts_stay_ordinary_in_every_language(tree, lang, code, args):
    actions = tree.shell(inline(lang, code, *args))
    assert not any(a.kind == "exec" and a.dynamic for a in actions), [a.describe() for a in actions]


# -- functions nothing here calls: their parameters are a caller's, judged where it is seen ---------

@pytest.mark.parametrize("command", [
    py('import subprocess\ndef sh(cmd):\n    subprocess.run("set -e; " + cmd.strip(), shell=True)\n'),
    py('import subprocess\nclass Build:\n    def __init__(self, t):\n        self.t = t\n'
       '    def run(self):\n        subprocess.run(f"make {self.t}", shell=True)\n'),
    py('import subprocess\ndef pytest_sessionstart(session):\n'
       '    subprocess.run(f"make -C {session.config.rootdir} fixtures", shell=True)\n'),
    node('const {execSync} = require("child_process"); function sh(c) { execSync("set -e; " + c.trim()) }'),
])
def test_a_helper_nothing_here_calls_is_not_unreadable_code(tree, command):
    assert not unreadable_sh(tree.shell(command))


def test_a_framework_hook_splicing_in_run_time_data_is_unreadable_code(tree):
    actions = tree.shell(py('import os\ndef pytest_configure(config):\n    os.system("echo " + input())\n'))
    assert unreadable_sh(actions)


def test_a_long_constant_list_of_targets_stays_ordinary(tree):
    targets = ", ".join(f"'t{i}'" for i in range(100))
    assert not unreadable_sh(tree.shell(py(f'import os\nfor t in [{targets}]:\n    os.system(f"make {{t}}")')))
    assert unreadable_sh(tree.shell(py(f'import os\nfor t in [{targets}, "x; rm -rf ~"]:\n    os.system(f"make {{t}}")')))


# -- a function the code redefines is not the library's (languages/patching.py) --------------------

@pytest.mark.parametrize("command", [
    py('import os, shlex; shlex.quote = lambda s: s; os.system("ls " + shlex.quote(input()))'),
    py('import os, shlex as q; q.quote = str; os.system("ls " + q.quote(input()))'),
    py('import os, shlex; setattr(shlex, "quote", str); os.system("ls " + shlex.quote(input()))'),
    py('import os, builtins; builtins.int = str; os.system("ls %s" % int(input()))'),
    py('import os\ndef int(x): return x\nos.system(f"ls {int(input())}")'),
    py('import os\nclass X:\n    def __format__(self, spec): return input()\nos.system(f"ls {X():d}")'),
    py('import os\nclass X:\n    def __abs__(self): return input()\nos.system(f"ls {abs(X())}")'),
    py('import os; os.environ["X"] = input(); os.system("ls " + os.environ["X"])'),
    node('globalThis.parseInt = x => x; require("child_process").execSync("ls " + parseInt(require("fs").readFileSync(0, "utf8")))'),
    node('const o = JSON.parse(require("fs").readFileSync(0, "utf8")); require("child_process").execSync("ls " + o.length)'),
    node('process.env.X = require("fs").readFileSync(0, "utf8"); require("child_process").execSync("ls " + process.env.X)'),
    inline("ruby", 'class String; def shellescape; self; end; end; x = gets; system("ls #{x.shellescape}")'),
    inline("ruby", 'module Shellwords; def self.escape(s) s end end; system("ls #{Shellwords.escape(gets)}")'),
    inline("ruby", 'String.send(:define_method, :to_i) { self }; system("ls #{gets.to_i}")'),
    inline("php", 'namespace A; function escapeshellarg($x) { return $x; } shell_exec("ls " . escapeshellarg(fgets(STDIN)));'),
    inline("lua", 'tonumber = function(x) return x end; os.execute("ls " .. tonumber(io.read()))'),
    inline("r", 'shQuote <- function(x) x; system(paste("ls", shQuote(readline())))'),
])
def test_a_quoting_or_number_function_the_code_redefines_is_not_trusted(tree, command):
    actions = tree.shell(command)
    assert any(a.kind == "exec" and a.dynamic and a.program == "sh" for a in actions), [a.describe() for a in actions]


# -- a JSON configuration the code reads is its data ----------------------------------------------

def test_a_json_configuration_the_code_reads_is_spliced_in(tree):
    tree.write("build.json", '{"image": "app:1", "targets": ["lint", "test"]}')
    tree.write("evil.json", '{"image": "x; rm -rf ~"}')
    ordinary = [py('import json, subprocess\ncfg = json.load(open("build.json"))\n'
                   'subprocess.run(f"docker build -t {cfg[\'image\']} .", shell=True)\n'
                   'for t in cfg["targets"]:\n    subprocess.run("make " + t, shell=True)'),
                node('const cfg = JSON.parse(require("fs").readFileSync("build.json", "utf8"));'
                     'require("child_process").execSync(`docker build -t ${cfg.image} .`)')]
    for command in ordinary:
        actions = tree.shell(command)
        assert not unreadable_sh(actions) and any(a.program == "docker" and "app:1" in a.args for a in actions)
    for command in (py('import json, os; os.system("echo " + json.loads(open("evil.json").read())["image"])'),
                    node('const c = JSON.parse(require("fs").readFileSync("evil.json"));'
                         'require("child_process").execSync(`echo ${c.image}`)')):
        assert home_deleted(tree, tree.shell(command)), command


# -- reading by lines: any line may be the one, and what is left after one is not the text ---------

@pytest.mark.parametrize("command", [
    "printf 'harmless\\nx; rm -rf ~' | " + py('import os; input(); os.system("echo " + input())'),
    "printf 'harmless\\nx; rm -rf ~' | " + py('import os\nwhile True:\n    os.system("echo " + input())'),
    py('import os\nf = open("two.txt")\nf.readline()\nos.system("echo " + f.readline())'),
])
def test_every_line_read_one_at_a_time_is_analysed(tree, command):
    tree.write("two.txt", "harmless\nx; rm -rf ~\n")
    assert home_deleted(tree, tree.shell(command)), [a.describe() for a in tree.shell(command)]


@pytest.mark.parametrize("command", [
    py('import os, sys; sys.stdin.readline(); os.system("echo " + sys.stdin.read())', stdin=" <<< $'\\'\\nrm -rf ~ #\\''"),
    py('import os\nf = open("two.txt")\nf.readline()\nos.system("echo " + f.read())'),
    py('import os, sys; os.system("echo " + sys.stdin.read(3))', stdin=" < notes.txt"),
])
def test_what_is_left_after_a_partial_read_is_unknown(tree, command):
    tree.write("two.txt", "'\nrm -rf ~ #'\n")
    assert unreadable_sh(tree.shell(command))
