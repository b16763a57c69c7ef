"""Plain HTTP through the cluster's nginx, as a bot would call the REST API (urllib, in a thread)."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

from cluster.layout import Layout


def request(layout: Layout, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(f"{layout.base_url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read().decode(errors="replace")[:300]}
    except OSError as error:
        return 0, {"error": str(error)}


async def arequest(layout: Layout, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    return await asyncio.to_thread(request, layout, token, method, path, body)
