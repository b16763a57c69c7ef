"""REST API benchmark: keyset history at every depth beside LIMIT/OFFSET, unread counts, search."""
