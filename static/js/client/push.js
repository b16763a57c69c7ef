// The installable app and desktop notifications: registers the service worker (/sw.js, which keeps the
// shell for offline use and shows pushes), and the per-device setting "Desktop notifications on this
// device": asks the browser's permission, subscribes with the server's VAPID key and tells the server
// (POST push/subscriptions); switching it off keeps the subscription but stops the pushes (PATCH).

import { modal } from "./dialogs.js";
import { h } from "./dom.js";
import { gettext } from "./i18n.js";

export const pushSupported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

export function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
}

/** "BASE64URL" → the bytes PushManager.subscribe takes as applicationServerKey. */
export function keyBytes(base64url) {
  const base64 = base64url
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export class DesktopNotifications {
  constructor(app) {
    this.app = app;
  }

  async subscription() {
    const registration = await navigator.serviceWorker.ready;
    return registration.pushManager.getSubscription();
  }

  /** {on, row}: whether this device gets pushes, and the server's row for its subscription (if any). */
  async state() {
    if (!pushSupported() || Notification.permission !== "granted") return { on: false, row: null };
    const current = await this.subscription();
    if (!current) return { on: false, row: null };
    const { subscriptions } = await this.app.api.get("push/subscriptions");
    const row = subscriptions.find((s) => s.endpoint === current.endpoint) || null;
    return { on: Boolean(row?.enabled), row };
  }

  async enable() {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") throw new Error(gettext("The browser did not allow notifications for this site."));
    const { public_key: key } = await this.app.api.get("push/vapid-key");
    if (!key) throw new Error(gettext("This server does not send desktop notifications."));
    const registration = await navigator.serviceWorker.ready;
    let current = await registration.pushManager.getSubscription();
    if (current?.options?.applicationServerKey) {
      const old = new Uint8Array(current.options.applicationServerKey);
      if (old.join() !== keyBytes(key).join()) {
        await current.unsubscribe();
        current = null;
      }
    }
    current ||= await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key),
    });
    const { endpoint, keys } = current.toJSON();
    return (await this.app.api.post("push/subscriptions", { endpoint, keys })).subscription;
  }

  async disable(row) {
    if (row) await this.app.api.patch(`push/subscriptions/${row.id}`, { enabled: false });
  }

  /** Before signing out: this browser stops receiving the person's pushes. Never holds up the sign-out long. */
  async forgetDevice() {
    if (!pushSupported()) return;
    const work = (async () => {
      const { row } = await this.state();
      if (row) await this.app.api.del(`push/subscriptions/${row.id}`);
      await (await this.subscription())?.unsubscribe();
    })().catch(() => {});
    await Promise.race([work, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }

  /** The setting's dialog: one checkbox for this device, and what stands in its way when something does. */
  async openDialog() {
    const box = h("input", { type: "checkbox", id: "push-this-device" });
    const note = h("p", { class: "muted small", role: "status", id: "push-status" });
    const label = h(
      "label",
      { class: "check", for: "push-this-device" },
      box,
      ` ${gettext("Desktop notifications on this device")}`,
    );
    modal(
      gettext("Desktop notifications"),
      h("p", {}, gettext("Direct messages, mentions and replies in your threads, even when Slackclone is closed.")),
      label,
      note,
    );
    if (!pushSupported()) {
      box.disabled = true;
      note.textContent = gettext("This browser cannot show desktop notifications.");
      return;
    }
    if (Notification.permission === "denied") {
      box.disabled = true;
      note.textContent = gettext("Notifications are blocked for this site in the browser's settings.");
      return;
    }
    let { on, row } = await this.state().catch(() => ({ on: false, row: null }));
    box.checked = on;
    note.textContent = on ? gettext("On for this device.") : gettext("Off for this device.");
    box.addEventListener("change", async () => {
      box.disabled = true;
      try {
        if (box.checked) row = await this.enable();
        else await this.disable(row);
        note.textContent = box.checked ? gettext("On for this device.") : gettext("Off for this device.");
      } catch (error) {
        box.checked = !box.checked;
        note.textContent = error.message;
      } finally {
        box.disabled = Notification.permission === "denied";
      }
    });
  }
}
