"""Shared by every test module.

Its presence also puts tests/ on sys.path (pytest's default import mode), so that the browser
tests can reuse helpers of other test modules, e.g. `from test_pages import malicious_circle`.
"""
