"""The WebSocket side of the ASGI application: the real-time gateway at /ws/ (docs/protocol.md)."""

from chat.realtime.consumer import gateway

websocket_application = gateway
