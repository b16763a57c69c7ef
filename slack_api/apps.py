from django.apps import AppConfig


class SlackApiConfig(AppConfig):
    """The Slack-compatible Web API at /api/<method>: a surface over the domain apps' services. No models."""

    name = "slack_api"
