"""The whole extension contract of Vectimus.

A plugin is a module registered under the ``vectimus`` entry-point group that implements some
of these hooks as functions of the same name (``@vectimus.hookspecs.hookimpl`` is optional, for
pluggy's ordering options). Every hook is a
``register_*`` callback: the plugin calls ``register(thing)`` once for each thing it adds.
Every implementation is called; none short-circuits the others.
"""

import pluggy

hookspec = pluggy.HookspecMarker("vectimus")
hookimpl = pluggy.HookimplMarker("vectimus")


@hookspec
def register_agents(register):
    """Register agent adapters: call ``register(adapter)`` with a ``vectimus.adapter.AgentAdapter``."""


@hookspec
def register_pack_sources(register):
    """Register policy-pack sources: call ``register(source)`` with a ``vectimus.policies.PackSource``."""


@hookspec
def register_receipt_sinks(register):
    """Register receipt sinks: call ``register(sink)`` with a ``vectimus.sinks.ReceiptSink``.

    ``emit`` runs for every decision on the hook's hot path; slow work goes in the background
    (``start_background`` / ``stop_background``, called by the resident evaluator).
    """


@hookspec
def register_commands(cli):
    """Add commands to the ``vectimus`` CLI: ``cli`` is its root ``typer.Typer`` app."""
