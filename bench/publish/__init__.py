"""Publishing benchmark: events from synchronous code through the Redis channel layer: `python -m bench.publish`."""
