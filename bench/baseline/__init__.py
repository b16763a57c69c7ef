"""The baseline the real-time gateway is measured against: the Channels tutorial's chat design."""
