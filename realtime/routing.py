"""The WebSocket side of the ASGI application: the real-time gateway at /ws/ (docs/protocol.md)."""

from realtime.connection import gateway

websocket_application = gateway
