"""Tamper-evident receipts: signed, chained records of every decision, and their verification.

Kept import-free: ``vectimus.receipts.body`` and ``vectimus.receipts.chain`` are on the hook's
hot path and import only what they need. The format is specified in ``docs/receipts.md``.
"""
