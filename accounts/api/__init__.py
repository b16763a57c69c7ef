"""The REST API for me (profile, status, notification preferences), API tokens, and session sign-in."""
