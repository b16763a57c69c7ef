"""The Slack-compatible Web API at /api/<method>.

`slack_sdk.WebClient(token=..., base_url="http://HOST/api/")` works unchanged. Every method is a thin
adapter over chat.services / chat.selectors / the workspaces and accounts services, answering with the
Slack shapes from chat.wire. The dispatcher (slack_api.views) parses arguments as Slack does,
authenticates the token and maps DomainError codes to Slack's error names (slack_api.core).
"""
