from slackclone.api.testing import client_for  # noqa: F401  (fixture)
