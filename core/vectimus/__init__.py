"""Vectimus: Cedar policies for every tool call an AI coding agent makes.

Kept import-free: the hook's hot path imports this package first.
"""

__version__ = "1.0.0"
