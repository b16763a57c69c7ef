"""A company's day: a mixed workload of many browser clients at once, `python -m bench.workload`."""
