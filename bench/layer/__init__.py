"""Channel layer benchmark, channels-redis beside realtime.layer: `python -m bench.layer`."""
