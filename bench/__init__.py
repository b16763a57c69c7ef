"""Benchmarks: each prints a table and writes JSON to bench/results/, beside a baseline run in the same run."""
