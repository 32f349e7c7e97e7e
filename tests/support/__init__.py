"""Helpers for the test suite, in one place: test modules and conftest files import them from
here, never from a conftest or from another test module (tests/test_architecture.py holds that)."""
