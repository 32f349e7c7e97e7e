"""Data that becomes objects, and so runs code, when Ruby or PHP load it: Ruby's ``Marshal.load`` /
``Marshal.restore`` and ``YAML.unsafe_load`` / ``unsafe_load_file`` (also ``Psych.``), PHP's
``unserialize``. What a gadget chain in such data runs depends on the classes the program has
loaded, which no reading of the data can tell; so the load is code nobody read, the agent's when
the data comes from a file the agent wrote this session (``File.binread(p)``, ``file_get_contents(p)``,
a ``*_file`` loader's path), or from anything else while the agent has written files. Data from the
repository's own file, or loaded before the agent wrote anything, is the program's ordinary work.
(Python's pickles and YAML are read and judged by their opcodes and tags: ``python/library/deserialize``.)
Standard library only.
"""

from __future__ import annotations

from vectimus.analyser import runs
from vectimus.analyser.context import Word

KINDS = {"Marshal.load": "Marshal", "Marshal.restore": "Marshal", "YAML.unsafe_load": "YAML",
         "YAML.unsafe_load_file": "YAML", "Psych.unsafe_load": "YAML", "Psych.unsafe_load_file": "YAML",
         "unserialize": "PHP's unserialize"}


def loaded(code, name: str, args) -> None:
    """``name(args…)`` in ``code`` (a ``languages.code.Code``) turns data into objects."""
    if not args:
        return
    an, cmd = code.an, code.cmd
    path = ""
    if name.endswith("_file"):
        word = code.value(args[0])
        path = "" if word.dynamic else an.target(word, cmd.scope).path
    else:
        found = code.call(args[0]) if args[0].type in ("call", "function_call_expression", "method_call") else None
        if found is not None and found[0] in code.READ_CALLS and found[1]:
            word = code.value(found[1][0])
            path = "" if word.dynamic else an.target(word, cmd.scope).path
    if path:
        if not (path in an.pending or an.target(Word(path), cmd.scope).exists):
            return  # no such file yet: data the program makes itself
        mine = runs.by_agent(an, path)
    else:
        mine = runs.agent_wrote_anything(an)
    if mine:
        runs.unread(an, cmd, path, f"{code.lang} {name}", True,
                    f"data {KINDS.get(name, name)} turns into objects, which may run any code")

