"""App platform benchmark: `python -m bench.apps`."""
