"""Benchmarks: every page and job measured against a baseline taken in the same run (see docs/benchmarks.md).

Entry point: bin/bench (python -m bench). The registry of measured pages is bench/pages.py.
"""
