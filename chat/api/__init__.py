"""The REST API for channels, DMs, messages, threads, reactions, pins, files, unread state and search."""
