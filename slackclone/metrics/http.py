"""HTTP requests: their metrics and log line, and GET /metrics for the scrapers allowed to read it.

ObserveRequestsMiddleware is the outermost middleware. Per request it sets the request id, and after the
response adds one to a counter and one sample to a histogram, labelled by the URL pattern Django resolved
(its name, else its route: never the raw path, so two channels' pages are one series) and the status.
With LOG_FORMAT=json it also logs the request in one line. None of this touches the database: the user id
is logged only if something already loaded the user.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from slackclone.logs import FIELDS_ATTRIBUTE, REQUEST_ID, accepted_request_id
from slackclone.metrics.collectors import register_pool_collector
from slackclone.metrics.families import HTTP_LATENCY, HTTP_REQUESTS

request_logger = logging.getLogger("slackclone.requests")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def route_label(request: HttpRequest) -> str:
    """The URL pattern that took the request: its full name (namespace:name), else its route; UNMATCHED when
    no pattern did (a 404, or a middleware that answered first)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name if match.url_name else match.route


def _user_id(request: HttpRequest) -> str | None:
    """The signed-in user's public id if the request already loaded the user; never a query of its own."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and getattr(user, "_wrapped", empty) is empty):
        return None
    return getattr(user, "public_id", None) if getattr(user, "is_authenticated", False) else None


class ObserveRequestsMiddleware:
    """Request id, metrics and (LOG_FORMAT=json) one log line for every request."""

    def __init__(self, get_response):
        self.get_response = get_response
        register_pool_collector()
        self.log_requests = settings.LOG_FORMAT == "json"
        self.id_from_proxy = settings.REQUEST_ID_FROM_PROXY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_X_REQUEST_ID") if self.id_from_proxy else None
        request_id = accepted_request_id(header)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            route = route_label(request)
            method = request.method if request.method in METHODS else "other"
            HTTP_REQUESTS.labels(route, method, response.status_code).inc()
            HTTP_LATENCY.labels(route, method).observe(elapsed)
            if self.log_requests:
                self._log(request, response, route, elapsed)
            response.headers.setdefault("X-Request-ID", request_id)
            return response
        finally:
            REQUEST_ID.reset(token)

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, route: str, elapsed: float) -> None:
        fields = {
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2),
            "user_id": _user_id(request),
        }
        request_logger.info("%s %s %s", request.method, route, response.status_code, extra={FIELDS_ATTRIBUTE: fields})


@cache
def _allowed_networks(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network) for network in networks)


def may_scrape(request: HttpRequest) -> bool:
    """A scraper on the loopback or in METRICS_ALLOWED_NETWORKS (by the address the ASGI server reports,
    which is the client's own unless a FORWARDED_ALLOW_IPS proxy forwarded it), or one with METRICS_TOKEN."""
    token = settings.METRICS_TOKEN
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: this process's metrics in Prometheus's text format, or a 404 for anyone not allowed
    (the route does not exist for them). nginx refuses the path as well (cluster/templates/nginx.conf)."""
    if request.method not in ("GET", "HEAD") or not may_scrape(request):
        raise Http404
    body = generate_latest(REGISTRY)
    if settings.METRICS_DATABASE_COLLECTORS:
        from slackclone.metrics.collectors import database_registry

        body += generate_latest(database_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
