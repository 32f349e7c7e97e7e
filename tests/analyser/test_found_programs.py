"""Programs a build finds or leaves out: CMake's ``find_program``/``find_package`` name the program
the variable holds (unless something steers the search), and ``go test ./...`` leaves out the
agent's Go files a build constraint excludes (a ``//go:build ignore`` generator)."""

from __future__ import annotations

import pytest
from tests.support.runs import Tree

PROLOGUE = "cmake_minimum_required(VERSION 3.16)\nproject(p C)\nadd_executable(p main.c)\n"


def runs(actions, program: str) -> bool:
    return any(a.kind == "exec" and a.program == program for a in actions)


def unknown_programs(actions) -> list:
    return [a for a in actions if a.kind == "exec" and "CMAKE_UNKNOWN" in a.raw]


@pytest.mark.parametrize("text, program", [
    ("find_package(Git REQUIRED)\nexecute_process(COMMAND ${GIT_EXECUTABLE} describe --always)\n", "git"),
    ("find_package(Git QUIET)\nif(GIT_FOUND)\n  execute_process(COMMAND \"${GIT_EXECUTABLE}\" rev-parse HEAD)\nendif()\n",
     "git"),
    ("find_package(Python3 COMPONENTS Interpreter)\nexecute_process(COMMAND ${Python3_EXECUTABLE} gen.py)\n",
     "python3"),
    ("find_program(CLANG_FORMAT NAMES clang-format clang-format-17 DOC \"fmt\")\n"
     "add_custom_target(format COMMAND ${CLANG_FORMAT} -i main.c)\n", "clang-format"),
    ("find_program(CCACHE ccache REQUIRED)\nadd_custom_target(stats COMMAND ${CCACHE} -s)\n", "ccache"),
])
def test_a_program_cmake_finds_is_the_one_its_name_finds(tree, text, program):
    tree.write("CMakeLists.txt", PROLOGUE + text)
    tree.write("build/CMakeCache.txt", f"CMAKE_HOME_DIRECTORY:INTERNAL={tree.root}\n")
    actions = tree.shell("cmake -S . -B build && cmake --build build")
    assert runs(actions, program) and not unknown_programs(actions), text


@pytest.mark.parametrize("text, command", [
    ("find_program(G git PATHS ${CMAKE_SOURCE_DIR}/tools NO_DEFAULT_PATH)\n", "cmake -S . -B build"),
    ("find_program(G git tools)\n", "cmake -S . -B build"),  # the short form's paths
    ("find_program(G git HINTS tools)\n", "cmake -S . -B build"),
    ("find_program(G NAMES nothing-here git)\n", "cmake -S . -B build"),  # two programs: either may be found
    ("list(APPEND CMAKE_PROGRAM_PATH tools)\nfind_program(G git)\n", "cmake -S . -B build"),
    ("set(Git_ROOT tools)\nfind_package(Git)\nset(G ${GIT_EXECUTABLE})\n", "cmake -S . -B build"),
    ("find_package(Git)\nset(G ${GIT_EXECUTABLE})\n", "CMAKE_PREFIX_PATH=$PWD/tools cmake -S . -B build"),
    ("find_package(Git)\nset(G ${GIT_EXECUTABLE})\n", "export CMAKE_PROGRAM_PATH=tools; cmake -S . -B build"),
])
def test_a_search_something_steers_leaves_the_program_unknown(tree, text, command):
    tree.write("CMakeLists.txt", PROLOGUE + text + "execute_process(COMMAND ${G} status)\n")
    actions = tree.shell(command)
    assert unknown_programs(actions) and not runs(actions, "git"), (text, command)


def test_a_value_the_variable_or_the_cache_holds_is_what_runs(tree):
    tree.write("CMakeLists.txt", PROLOGUE + "find_package(Git)\nexecute_process(COMMAND ${GIT_EXECUTABLE} log)\n"
                                            "add_custom_target(r ALL COMMAND ${GIT_EXECUTABLE} log)\n")
    defined = tree.shell("cmake -S . -B out -DGIT_EXECUTABLE=tools/git")
    assert [a.program_path for a in defined if a.kind == "exec" and a.program == "git"] == ["tools/git"]
    tree.write("build/CMakeCache.txt", f"CMAKE_HOME_DIRECTORY:INTERNAL={tree.root}\n"
                                       f"GIT_EXECUTABLE:FILEPATH={tree.root}/tools/git\n")
    built = tree.shell("cmake --build build")
    assert {a.program_path for a in built if a.kind == "exec" and a.program == "git"} == {f"{tree.root}/tools/git"}


def test_find_program_of_rm_is_judged_as_rm(tree):
    tree.write("CMakeLists.txt", PROLOGUE + "find_program(RMX rm)\nexecute_process(COMMAND ${RMX} -rf $ENV{HOME})\n")
    actions = tree.shell("cmake -S . -B build")
    assert any(a.kind == "file_delete" and a.target.is_home for a in actions)


# -- Go build constraints -------------------------------------------------------------------------

WIPE = 'package svc\n\nimport "os"\n\nfunc init() {\n\tos.RemoveAll(os.Getenv("HOME"))\n}\n'


def wipes(t: Tree, actions) -> bool:
    return any(a.kind == "file_delete" and a.target.path == str(t.home) for a in actions)


@pytest.mark.parametrize("header", ["//go:build ignore\n\n", "// +build ignore\n\n", "//go:build tools\n\n",
                                    "//go:build integration && linux\n\n", "/* gen */\n//go:build e2e\n\n"])
def test_go_test_leaves_out_a_file_its_build_constraint_excludes(tmp_path, header):
    t = Tree(tmp_path)
    t.write("go.mod", "module x\n\ngo 1.21\n")
    acts = t.shell(f"cat > wipe.go <<'EOF'\n{header}{WIPE}EOF\ngo test ./...")
    assert not [a for a in acts if "go test" in " ".join(a.via) and a.kind == "file_delete"], header


@pytest.mark.parametrize("header, command", [
    ("//go:build integration\n\n", "go test -tags integration ./..."),
    ("//go:build integration\n\n", "go test -tags=e2e,integration ./..."),
    ("//go:build integration\n\n", "GOFLAGS=-tags=integration go test ./..."),
    ("//go:build integration\n\n", "go test -tags \"$T\" ./..."),
    ("//go:build linux || ignore\n\n", "go test ./..."),
    ("//go:build !ignore\n\n", "go build ./... "),
    ("//go:build ignore\n\n", "go run wipe.go"),
    ("package svc\n//go:build ignore\n", "go test ./..."),  # after the package clause: no constraint
])
def test_go_reads_a_file_its_build_includes_or_may_include(tmp_path, header, command):
    t = Tree(tmp_path)
    t.write("go.mod", "module x\n\ngo 1.21\n")
    text = header + WIPE if header.startswith("//") else header + WIPE.replace("package svc\n", "")
    acts = t.shell(f"cat > wipe.go <<'EOF'\n{text}EOF\n{command}")
    assert [a for a in acts if a.kind == "file_delete" and a.target.path == str(t.home)
            and not a.deferred], (header, command)
