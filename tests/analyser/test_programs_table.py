"""The program handler table: every program a handler module handles reaches that module's handler,
and the modules a call does not need are imported only when one of their programs runs."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from tests.support.analysis import places
from vectimus.analyser import programs
from vectimus.analyser.context import Cmd, Scope, Word
from vectimus.analyser.programs import shells

EAGER = {"files", "channels", "shells"}  # imported by dispatch for every call anyway


def handler_modules() -> dict:
    """Every module under analyser/programs/ with a HANDLERS table, by its name."""
    found = {}
    for info in pkgutil.iter_modules(programs.__path__):
        module = importlib.import_module(f"{programs.__name__}.{info.name}")
        if isinstance(getattr(module, "HANDLERS", None), dict):
            found[info.name] = module
    return found


def test_the_table_names_every_handler_module_and_each_program_it_handles():
    modules = handler_modules()
    assert set(modules) == EAGER | set(programs.IMPORTED_WHEN_RUN)
    assert not EAGER & set(programs.IMPORTED_WHEN_RUN)
    for name, names in programs.IMPORTED_WHEN_RUN.items():
        assert sorted(names.split()) == sorted(modules[name].HANDLERS), name


def test_each_program_reaches_its_module_s_handler():
    cmd = Cmd((Word("x"),), "x", Scope(places()))
    checked = 0
    for module in handler_modules().values():
        for program, handler in module.HANDLERS.items():
            expected = shells.HANDLERS.get(program, handler)  # shells' own wins: `source`, `.`
            assert programs.handler(program, cmd) is expected, program
            checked += 1
    assert checked > 200


def test_a_call_imports_only_the_handler_modules_its_programs_need():
    code = """if True:
        import sys
        from tests.support.analysis import shell
        shell("git status && ls -la src | grep -c py > count.txt; echo done")
        print(sorted(m.rpartition(".")[2] for m in sys.modules if m.startswith("vectimus.analyser.programs.")))
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(out.stdout))
    assert "git" in loaded and EAGER <= loaded
    assert not loaded & {"archives", "containers", "databases", "network", "runners", "windows", "interpreters"}
