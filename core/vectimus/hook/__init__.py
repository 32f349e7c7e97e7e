"""The hook: one process per tool call, a one-way chain of four modules.

``client`` (the process an agent starts; standard library only) hands the raw event to the
resident evaluator or, when it cannot, to ``respond``; ``respond`` finds the agent's adapter,
decodes and parses the event, asks ``evaluate`` for a decision, renders the answer and has
``record`` leave its receipt. Each module imports only those after it, never one before it, and
this package's ``__init__`` imports nothing, so the client stays lean.
"""
