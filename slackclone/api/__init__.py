"""Plumbing shared by every app's REST API under /api/v1/: authentication, the one error
shape, rate limits, path converters, OpenAPI helpers and the workspace/channel context of a request."""
