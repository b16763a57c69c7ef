"""The browser client's pages: one page per workspace, with deep links to a channel, a message or a thread."""
