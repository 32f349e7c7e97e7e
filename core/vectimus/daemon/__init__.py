"""The resident evaluator: a per-user daemon that keeps policy sets warm for the hook client.

Import-free, like ``vectimus/__init__``: the hook client imports ``protocol`` and ``runtime``
from here on every call; ``server`` and ``lifecycle`` load only where they are needed.
"""
