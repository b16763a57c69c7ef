from slackclone.testing.api import client_for  # noqa: F401  (fixture)
