"""The answer to an error no view handled: a database outage is a 503 to retry, anything else Django's 500.

Django calls `handler500` from inside the `except` block that caught the error (a view's, or a
middleware's such as a session read), so the error is still `sys.exc_info()`. An outage
(slackclone.db_unavailable) is answered in the shape of the address it hit: the REST API's error body,
Slack's `{"ok": false, "error": "service_unavailable"}` for a Web API method, SCIM's error for SCIM, or the
503 page, each with Retry-After. The page is rendered without the request: its context processors would
read the database.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from slackclone.api.exceptions import error_body
from slackclone.db_unavailable import DatabaseUnavailable, database_outage

REST_API_PREFIX = "/api/v1/"
SLACK_API_PREFIX = "/api/"
SCIM_PREFIX = "/scim/"
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage as a 503 in the address's own shape, anything else Django's 500 page."""
    error = sys.exc_info()[1]
    outage = database_outage(error) if error is not None else None
    if outage is None:
        return defaults.server_error(request)
    return unavailable_response(request.path, outage)


def unavailable_response(path: str, outage: DatabaseUnavailable) -> HttpResponse:
    """The 503 for `path`: JSON for the APIs (SCIM's RFC 7644 error for SCIM), the page for everything else."""
    response: HttpResponse
    if path.startswith(SCIM_PREFIX):
        body = {"schemas": [SCIM_ERROR_SCHEMA], "status": str(outage.http_status), "detail": outage.message}
        response = JsonResponse(body, status=outage.http_status, content_type="application/scim+json")
    elif path.startswith(REST_API_PREFIX):
        response = JsonResponse(error_body(outage.code, outage.message), status=outage.http_status)
    elif path.startswith(SLACK_API_PREFIX):
        response = JsonResponse({"ok": False, "error": outage.code.value}, status=outage.http_status)
    else:
        page = loader.get_template("503.html").render({"retry_after": outage.retry_after})
        response = HttpResponse(page, status=outage.http_status)
    response["Retry-After"] = str(outage.retry_after)
    return response
