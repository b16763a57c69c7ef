"""The WebSocket side of the ASGI application: the real-time gateway at /ws/ (docs/protocol.md)."""

from chat.realtime.auth import SocketAuthMiddleware
from chat.realtime.consumer import gateway

websocket_application = SocketAuthMiddleware(gateway, path="/ws/")
