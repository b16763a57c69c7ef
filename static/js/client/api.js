// The REST API (/api/v1/) over fetch, with the session cookie and the CSRF token on every write.
// Errors come back as ApiError carrying the server's stable code (slackclone.errors.ErrorCode).

import { gettext } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, fields = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class Api {
  constructor(base) {
    this.base = base.endsWith("/") ? base : `${base}/`;
  }

  url(path, params) {
    const url = new URL(path.startsWith("/") ? path : this.base + path, location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
    }
    return url.toString();
  }

  async request(method, path, { params, body, form } = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    let payload;
    if (form) payload = form;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.url(path, params), { method, headers, body: payload, credentials: "same-origin" });
    } catch {
      throw new ApiError(0, "network_error", gettext("The server could not be reached."));
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const err = data.error || {};
      if (response.status === 401) location.reload(); // signed out elsewhere: the page sends us to log in
      const error = new ApiError(
        response.status,
        err.code || "http_error",
        err.msg || err.message || response.statusText,
        err.fields,
      );
      // 429 and 503 (service_unavailable: a failover) say when the same request may be tried again, in seconds.
      const retryAfter = Number(response.headers.get("Retry-After"));
      if (retryAfter > 0) error.retry_after = retryAfter;
      throw error;
    }
    return data;
  }

  get(path, params) {
    return this.request("GET", path, { params });
  }
  post(path, body = {}) {
    return this.request("POST", path, { body });
  }
  patch(path, body) {
    return this.request("PATCH", path, { body });
  }
  put(path, body) {
    return this.request("PUT", path, { body });
  }
  del(path) {
    return this.request("DELETE", path);
  }
  upload(path, form) {
    return this.request("POST", path, { form });
  }

  /** Every page of a cursor-paginated list (`next` links), concatenated. */
  async all(path, key, params) {
    let data = await this.get(path, params);
    const items = [...data[key]];
    while (data.next) {
      data = await this.get(data.next);
      items.push(...data[key]);
    }
    return items;
  }
}
