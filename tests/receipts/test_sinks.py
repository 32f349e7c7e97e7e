"""The sink contract: the built-in plugin registers the chained log; third-party sinks subclass the base."""

from __future__ import annotations

import pytest

from vectimus.receipts.sink import LocalChainSink
from vectimus.sinks import ReceiptSink, SinkContext


def test_the_builtin_plugin_registers_the_local_chain_sink(monkeypatch, tmp_path):
    from vectimus import plugins

    monkeypatch.setenv("VECTIMUS_HOME", str(tmp_path))
    monkeypatch.setenv("VECTIMUS_LOAD_PLUGINS", "")
    monkeypatch.setattr(plugins, "_pm", None)  # not the manager another test built with every plugin
    sinks = plugins.receipt_sinks()
    assert [type(s) for s in sinks] == [LocalChainSink] and sinks[0].name == "local"
    assert [type(s) for s in plugins.receipt_sinks()] == [LocalChainSink]  # cached path


def test_a_sink_must_implement_emit_and_may_skip_everything_else(proj, vhome):
    class Half(ReceiptSink):
        name = "half"

    ctx = SinkContext(proj, vhome, {})
    assert ctx.env == {}  # the hook passes its environment; a context made without one has none
    with pytest.raises(NotImplementedError):
        Half().emit({}, ctx)
    assert Half().end_session(ctx, "s") is None
    assert Half().start_background() is None and Half().stop_background(1.0) is None
    assert Half().status(ctx) is None and Half().status(ctx, probe=True) is None
