"""Fan-out benchmark of the real-time gateway beside the Channels-tutorial baseline: `python -m bench.fanout`."""
