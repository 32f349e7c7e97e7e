"""The built-in plugin: it registers through the same hooks as third-party plugins."""

from __future__ import annotations

import importlib

# One module per command group under vectimus.cli, each with register(cli).
CLI_MODULES = (
    "setup",
    "hook",
    "plugins",
    "demo",
    "verify",
    "receipts",
    "mcp",
    "daemon",
    "policy",
    "tuning",
    "report",
    "doctor",
    "explain",
)


def register_pack_sources(register):
    from vectimus.policies import builtin_sources

    for source in builtin_sources():
        register(source)


def register_receipt_sinks(register):
    from vectimus.receipts.sink import LocalChainSink

    register(LocalChainSink())


def register_commands(cli):
    for name in CLI_MODULES:
        importlib.import_module(f"vectimus.cli.{name}").register(cli)
