// The service worker, served at /sw.js (scope /) by chat.web.pwa, which puts the shell's list of files and
// its version before this text: `self.SHELL = {version: "…", assets: [...], icon: "…"};`.
//
// - The client shell (its page, stylesheets, modules, icons) is kept, so the app opens at once and, with no
//   network, shows the client with its "offline" banner instead of the browser's error page.
// - API reads the client needs to draw itself (people, channels, groups, emoji, saved items, a channel's
//   history) go to the network first and fall back to the last answer kept; nothing else of the API is kept,
//   and nothing the person sends. Signing out deletes what was kept.
// - Web Push: shows the desktop notification the server sent (notifications.services.push_delivery) and
//   opens, or brings forward, the client at the message when it is clicked.

const SHELL = self.SHELL;
const SHELL_CACHE = `shell-${SHELL.version}`;
const PAGES_CACHE = "pages-v1";
const API_CACHE = "api-v1";
const PRIVATE_CACHES = [PAGES_CACHE, API_CACHE];
const API_KEPT = [
  /^\/api\/v1\/workspaces\/T[A-Z0-9]+\/(members|channels|usergroups|emoji|saved)$/,
  /^\/api\/v1\/channels\/[A-Z0-9]+\/messages$/,
];
const LOGIN_PATH = "/accounts/login/";
const LOGOUT_PATH = "/accounts/logout/";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.assets))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  const stale = caches
    .keys()
    .then((names) =>
      Promise.all(
        names.filter((name) => name.startsWith("shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name)),
      ),
    );
  event.waitUntil(Promise.all([self.clients.claim(), stale]));
});

function forgetPrivate() {
  return Promise.all(PRIVATE_CACHES.map((name) => caches.delete(name)));
}

/** The cached client page of a workspace is kept under its root, /<slug>/, whatever URL loaded it. */
function shellKey(url) {
  const slug = url.pathname.split("/")[1];
  return slug ? new URL(`/${slug}/`, url.origin).href : null;
}

function offlinePage() {
  const html =
    '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    "<title>Offline · Slackclone</title><body><p>You are offline. Slackclone will load when you reconnect.</p>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** Keep a copy of an answer without making the page wait for the write. */
function keep(event, cacheName, key, response) {
  event.waitUntil(caches.open(cacheName).then((cache) => cache.put(key, response)));
}

async function navigate(event) {
  const { request } = event;
  const url = new URL(request.url);
  try {
    // The sign-in page means nobody is signed in here now: what was kept for the last person goes.
    if (url.pathname.startsWith(LOGIN_PATH)) await forgetPrivate();
    const response = await fetch(request);
    const key = shellKey(url);
    if (response.ok && key && response.headers.get("X-Client-Shell")) keep(event, PAGES_CACHE, key, response.clone());
    return response;
  } catch {
    const key = shellKey(url);
    const kept = key && (await caches.match(key, { cacheName: PAGES_CACHE }));
    return kept || offlinePage();
  }
}

async function apiRead(event) {
  const { request } = event;
  try {
    const response = await fetch(request);
    if (response.ok) keep(event, API_CACHE, request, response.clone());
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: API_CACHE });
    if (kept) return kept;
    throw error;
  }
}

async function staticFile(event) {
  const { request } = event;
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) keep(event, SHELL_CACHE, request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (request.method === "POST" && url.pathname === LOGOUT_PATH) event.waitUntil(forgetPrivate());
    return;
  }
  if (request.mode === "navigate") event.respondWith(navigate(event));
  else if (API_KEPT.some((pattern) => pattern.test(url.pathname))) event.respondWith(apiRead(event));
  else if (url.pathname.startsWith("/static/")) event.respondWith(staticFile(event));
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Slackclone";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      icon: SHELL.icon,
      data: { url: typeof data.url === "string" ? data.url : "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL(event.notification.data?.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin); // only our own pages
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const slug = target.pathname.split("/")[1];
      const same = windows.find((client) => new URL(client.url).pathname.split("/")[1] === slug);
      if (same) return same.navigate(target.href).then((client) => (client || same).focus());
      return self.clients.openWindow(target.href);
    }),
  );
});
