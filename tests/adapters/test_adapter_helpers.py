"""The shared helpers the Cursor and Copilot adapters added to adapter.py and toolmap.py."""

from __future__ import annotations

import pytest

from vectimus.adapter import (
    AdapterError,
    add_flat_hook,
    decode_json_object,
    flat_hook_commands,
    remove_flat_hooks,
)
from vectimus.toolmap import ToolSpec, aliases, build_call

CMD = "/v/bin/vectimus hook --agent x"


def call(spec, tool_input):
    return build_call("x", "T", spec, tool_input, cwd="/w", project_dir="/w")


def test_decode_json_object():
    assert decode_json_object('{"a": 1}', "args") == {"a": 1}
    assert decode_json_object({"a": 1}, "args") == {"a": 1}
    assert decode_json_object("", "args") == decode_json_object(None, "args") == {}
    for bad in ("{", "[1]", 3, ["x"]):
        with pytest.raises(AdapterError, match="args"):
            decode_json_object(bad, "args")
    assert decode_json_object("{", "args", lenient=True) == {"input": "{"}
    assert decode_json_object("[1]", "args", lenient=True) == {"input": [1]}


def test_paths_may_be_lists_and_every_entry_must_be_a_path():
    spec = ToolSpec("file_write", paths=("files",), extra_paths=("more",))
    assert call(spec, {"files": ["/a", "/b"], "more": ["/c"]}).paths == ("/a", "/b", "/c")
    assert call(spec, {"files": "/a", "more": "/c"}).paths == ("/a", "/c")
    with pytest.raises(AdapterError):
        call(spec, {"files": ["/a", 3]})
    with pytest.raises(AdapterError):
        call(spec, {"files": []})
    with pytest.raises(AdapterError, match="more"):
        call(spec, {"files": "/a", "more": [None]})


def test_normalise_reads_aliases_but_arguments_stay_as_sent():
    spec = ToolSpec("spawn", prompt="prompt", normalise=aliases(prompt=("prompt", "description")))
    made = call(spec, {"description": "look"})
    assert made.prompt == "look" and made.arguments == {"description": "look"}
    assert call(spec, {"prompt": "p", "description": "d"}).prompt == "p"


def test_flat_hooks_round_trip():
    config: dict = {"hooks": {"stop": [{"command": "./mine.sh"}]}}
    add_flat_hook(config, "stop", {"command": CMD})
    add_flat_hook(config, "stop", {"command": CMD, "timeout": 9})
    add_flat_hook(config, "preToolUse", {"command": CMD})
    assert config["hooks"]["stop"] == [{"command": "./mine.sh"}, {"command": CMD, "timeout": 9}]
    assert flat_hook_commands(config, "preToolUse") == [CMD]
    assert remove_flat_hooks(config) is True
    assert config == {"hooks": {"stop": [{"command": "./mine.sh"}]}}
    assert remove_flat_hooks(config) is False
    with pytest.raises(ValueError):
        add_flat_hook({"hooks": []}, "stop", {"command": CMD})
