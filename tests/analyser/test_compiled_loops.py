"""Go and Rust code that loops over a list literal acts once per value: cleaning two build
directories deletes those two, and a list holding the home deletes the home (compiled.loop_over)."""

from __future__ import annotations


GO = """package main

import "os"

func main() {
\thome, _ := os.UserHomeDir()
\t_ = home
\tfor _, d := range []string{%s} {
\t\tos.RemoveAll(d)
\t}
}
"""
RUST = """use std::fs;

fn main() {
    let dirs = [%s];
    for d in dirs.iter() {
        let _ = fs::remove_dir_all(d);
    }
}
"""


def deletes(tree, name: str, text: str, command: str):
    tree.write(name, text)
    return [(a.resource, a.dynamic) for a in tree.shell(command) if a.kind == "file_delete"]


def test_go_deletes_each_value(tree):
    found = deletes(tree, "clean.go", GO % '"dist", "build"', "go run clean.go")
    assert found == [(str(tree.root / "dist"), False), (str(tree.root / "build"), False)]
    assert (str(tree.home), False) in deletes(tree, "clean.go", GO % '"dist", home', "go run clean.go")


def test_rust_deletes_each_value(tree):
    found = deletes(tree, "clean.rs", RUST % '"target/tmp", "dist"', "rustc clean.rs -o clean && ./clean")
    assert (str(tree.root / "dist"), False) in found and all(not dynamic for _, dynamic in found)
    assert ("/home", False) in deletes(tree, "clean.rs", RUST % '"dist", "/home"', "rustc clean.rs -o clean && ./clean")


def test_a_loop_over_anything_else_is_unknown(tree):
    text = GO.replace("for _, d := range []string{%s}", "for _, d := range os.Args")
    assert [dynamic for _, dynamic in deletes(tree, "clean.go", text, "go run clean.go")] == [True]
