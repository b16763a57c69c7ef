from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """The real-time layer: the transport every app publishes through, and the WebSocket gateway. No models."""

    name = "realtime"
