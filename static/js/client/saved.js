// Saved for later: which messages I saved (a marker on each, "Save for later" in its menu), and the Saved
// view with its In progress and Completed lists. Changes come back as saved_item_changed on my own sockets,
// so every tab agrees.

import { h, icon } from "./dom.js";
import { gettext } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";

const key = (channel, ts) => `${channel}:${ts}`;

export class Saved {
  constructor(app) {
    this.app = app;
    this.items = new Map(); // "channel:ts" -> { done }
    this.state = "in_progress";
  }

  async load() {
    const workspace = this.app.store.workspace.id;
    const [open, done] = await Promise.all(
      ["in_progress", "done"].map((state) =>
        this.app.api.get(`workspaces/${workspace}/saved`, { state }).then(
          (data) => data.items,
          () => [],
        ),
      ),
    );
    for (const item of [...open, ...done]) this.items.set(key(item.channel, item.message.ts), { done: item.done });
  }

  isSaved(message) {
    return this.items.has(key(message.channel, message.ts));
  }

  path(channel, ts) {
    return `channels/${channel}/messages/${ts}/saved`;
  }

  /** The menu's "Save for later" or "Remove from saved items". */
  async toggle(message) {
    const saved = this.isSaved(message);
    const request = saved
      ? this.app.api.del(this.path(message.channel, message.ts))
      : this.app.api.put(this.path(message.channel, message.ts));
    if (await this.app.guard(request, saved ? gettext("Removed from saved items.") : gettext("Saved for later."))) {
      this.apply({ channel: message.channel, ts: message.ts, saved: !saved, done: false });
    }
  }

  async setDone(channel, ts, done) {
    if (await this.app.guard(this.app.api.patch(this.path(channel, ts), { done }))) {
      this.apply({ channel, ts, saved: true, done });
    }
  }

  /** A change, mine from this tab or from the socket (saved_item_changed). */
  apply(change) {
    const id = key(change.channel, change.ts);
    if (change.saved) this.items.set(id, { done: change.done });
    else this.items.delete(id);
    const message = this.app.store.log(change.channel).byTs.get(change.ts);
    if (message) this.app.events.touched(message);
    if (this.app.view === "saved") this.show(this.state);
  }

  async show(state = this.state) {
    const { app } = this;
    this.state = state;
    app.showView("saved");
    document.title = `${gettext("Saved")} · ${app.store.workspace.name}`;
    const tab = (name, label) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          class: "app-tabs__tab",
          "aria-selected": name === state ? "true" : "false",
          onclick: () => this.show(name),
        },
        label,
      );
    const list = h(
      "ul",
      { class: "results", "aria-live": "polite" },
      h("li", { class: "loading" }, gettext("Loading…")),
    );
    app.search.root.replaceChildren(
      h("header", { class: "view-header" }, h("h1", {}, gettext("Saved for later"))),
      h(
        "div",
        { class: "app-tabs", role: "tablist", "aria-label": gettext("Saved items") },
        tab("in_progress", gettext("In progress")),
        tab("done", gettext("Completed")),
      ),
      list,
    );
    try {
      const { items } = await app.api.get(`workspaces/${app.store.workspace.id}/saved`, { state });
      list.replaceChildren(...items.map((item) => this.row(item)));
      if (!items.length) {
        const empty =
          state === "done"
            ? gettext("Nothing completed yet.")
            : gettext("Save a message from its menu to find it here.");
        list.replaceChildren(h("li", { class: "empty-state" }, empty));
      }
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
    }
  }

  row(item) {
    const { app } = this;
    const message = item.message;
    const result = app.search.result(
      message,
      app.store.channels.get(item.channel),
      h("div", { class: "result__snippet" }, renderMarkdown(message.text, app.markdownContext)),
    );
    result.classList.add("saved-item");
    result.append(
      h(
        "div",
        { class: "saved-item__actions" },
        h(
          "button",
          { type: "button", class: "btn", onclick: () => this.setDone(item.channel, message.ts, !item.done) },
          item.done ? gettext("Mark as not done") : gettext("Mark as done"),
        ),
        item.done
          ? null
          : h(
              "button",
              {
                type: "button",
                class: "btn btn--ghost",
                onclick: () =>
                  app.actions.remind(
                    { channel: item.channel, ts: message.ts },
                    "at 9:00 tomorrow",
                    gettext("I will remind you tomorrow at 9:00."),
                  ),
              },
              gettext("Remind me tomorrow"),
            ),
        h(
          "button",
          {
            type: "button",
            class: "btn btn--ghost",
            "aria-label": gettext("Remove from saved items"),
            onclick: () => this.toggle({ channel: item.channel, ts: message.ts }),
          },
          icon("trash"),
        ),
      ),
    );
    return result;
  }
}
