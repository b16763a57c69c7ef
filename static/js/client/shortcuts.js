// Apps' shortcuts: the composer's ⚡ menu lists the workspace's global ones, a message's menu its message
// ones. Choosing one asks the server to send the app `shortcut` or `message_action`; what the app does
// next (usually views.open) arrives as a socket event. The list is asked for once per workspace.

import { menuItem } from "./dialogs.js";
import { h } from "./dom.js";
import { gettext } from "./i18n.js";
import { failureText } from "./modal.js";

/** The shortcuts of each workspace, fetched once (a failed fetch is asked again next time). */
export class ShortcutCache {
  constructor(api) {
    this.api = api;
    this.byWorkspace = new Map();
  }
  list(workspaceId) {
    if (!this.byWorkspace.has(workspaceId)) {
      const loading = this.api.get("interactions/shortcuts", { workspace: workspaceId }).then(
        (data) => (Array.isArray(data?.shortcuts) ? data.shortcuts : []),
        () => {
          this.byWorkspace.delete(workspaceId);
          return [];
        },
      );
      this.byWorkspace.set(workspaceId, loading);
    }
    return this.byWorkspace.get(workspaceId);
  }
  async ofType(workspaceId, type) {
    return (await this.list(workspaceId)).filter((shortcut) => shortcut.type === type);
  }
}

/** The body of POST interactions/shortcut for a shortcut (and, for a message shortcut, its message). */
export function shortcutRequest(shortcut, message = null) {
  const body = { app_id: shortcut.app_id, callback_id: shortcut.callback_id, type: shortcut.type };
  if (message) Object.assign(body, { channel: message.channel, message_ts: message.ts });
  return body;
}

/** The ⚡ menu: one menu item per shortcut (its name, its app, its description as the title). */
export function shortcutMenu(shortcuts, choose) {
  const menu = h("ul", {
    class: "menu shortcut-menu",
    role: "menu",
    id: "shortcut-menu",
    "aria-label": gettext("Shortcuts"),
  });
  if (!shortcuts.length) {
    menu.append(h("li", { class: "menu__empty", role: "none" }, gettext("No app offers shortcuts here.")));
    return menu;
  }
  for (const shortcut of shortcuts) {
    const item = menuItem(shortcut.name, () => choose(shortcut), { hint: shortcut.app_name });
    if (shortcut.description) item.firstChild.setAttribute("title", shortcut.description);
    menu.append(item);
  }
  return menu;
}

export class Shortcuts {
  constructor(app) {
    this.app = app;
    this.cache = new ShortcutCache(app.api);
  }

  workspaceId() {
    return this.app.store.workspace.id;
  }

  async run(shortcut, message = null) {
    try {
      await this.app.api.post("interactions/shortcut", shortcutRequest(shortcut, message));
    } catch (error) {
      this.app.toast(failureText(error, shortcut.app_name));
    }
  }

  /** The composer's ⚡ button opens (or closes) the menu of global shortcuts under it. */
  async openMenu(anchor) {
    const open = document.getElementById("shortcut-menu");
    open?.remove();
    if (open && anchor.getAttribute("aria-expanded") === "true") {
      anchor.setAttribute("aria-expanded", "false");
      return;
    }
    const shortcuts = await this.cache.ofType(this.workspaceId(), "global");
    const menu = shortcutMenu(shortcuts, (shortcut) => {
      menu.remove();
      anchor.setAttribute("aria-expanded", "false");
      anchor.focus();
      this.run(shortcut);
    });
    anchor.setAttribute("aria-expanded", "true");
    new MutationObserver((_, observer) => {
      if (!menu.isConnected) {
        anchor.setAttribute("aria-expanded", "false");
        observer.disconnect();
      }
    }).observe(document.body, { childList: true });
    this.app.dialogs.placeMenu(menu, anchor);
  }

  /** Menu items (made by the message menu's `item`) for the workspace's message shortcuts. */
  async messageItems(message, item) {
    const shortcuts = await this.cache.ofType(this.workspaceId(), "message");
    return shortcuts.map((shortcut) =>
      item(`${shortcut.name} · ${shortcut.app_name}`, () => this.run(shortcut, message)),
    );
  }
}
