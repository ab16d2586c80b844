"""Helpers shared by tests in several folders: story builders, images, loopback servers.

Importable as `support` from any test: tests/conftest.py's folder is on sys.path (pytest's
default "prepend" import mode puts it there), as each test folder is for its own
`*_support.py` / `*_helpers.py` modules.
"""
