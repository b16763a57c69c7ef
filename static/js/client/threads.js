// Threads: the threads I follow (started, replied to, mentioned in, or followed by choice), newest reply
// first, each with my unread count; the sidebar's badge counts those with unread replies. A reply raises
// its thread's count, never the channel's. Changes come as thread_state_changed on my own sockets.

import { h } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";
import { avatar } from "./render/avatar.js";
import { fullDate, relative } from "./time.js";

const key = (channel, ts) => `${channel}:${ts}`;
const COUNT_DELAY_MS = 150;

export class Threads {
  constructor(app) {
    this.app = app;
    this.states = new Map(); // "channel:root ts" -> { following, unread_count }
    this.unread = 0; // followed threads with unread replies (the sidebar's badge)
    this.shown = [];
  }

  base() {
    return `workspaces/${this.app.store.workspace.id}/threads`;
  }

  async load() {
    await this.refreshCount();
  }

  async refreshCount() {
    const data = await this.app.api.get(`${this.base()}/unread`).catch(() => null);
    if (!data || data.unread_threads === this.unread) return;
    this.unread = data.unread_threads;
    this.app.store.emit("channels");
  }

  /** The badge follows the server: a burst of events asks for the count once. */
  scheduleCount() {
    clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => this.refreshCount(), COUNT_DELAY_MS);
  }

  /** Whether I follow the thread: known, or asked once (null until the answer comes). */
  async following(channel, ts) {
    const known = this.states.get(key(channel, ts));
    if (known) return known.following;
    const data = await this.app.api.get(`${this.base()}/${channel}/${ts}/follow`).catch(() => null);
    if (!data) return null;
    this.remember(channel, data.thread_ts, { following: data.following });
    return data.following;
  }

  remember(channel, ts, change) {
    const id = key(channel, ts);
    this.states.set(id, { ...(this.states.get(id) || { following: false }), ...change });
  }

  async setFollowing(channel, ts, follow) {
    const path = `${this.base()}/${channel}/${ts}/follow`;
    const request = follow ? this.app.api.post(path) : this.app.api.del(path);
    const data = await this.app.guard(
      request,
      follow ? gettext("You follow this thread.") : gettext("You no longer follow this thread."),
    );
    if (data) this.apply({ channel, thread_ts: data.thread_ts, following: data.following });
  }

  async markRead(channel, ts) {
    const state = this.states.get(key(channel, ts));
    if (state?.unread_count === 0) return;
    await this.app.api.post(`${this.base()}/${channel}/${ts}/read`).catch(() => null);
  }

  /** A change from the socket (thread_state_changed) or from this tab. */
  apply(change) {
    const { app } = this;
    const before = this.states.get(key(change.channel, change.thread_ts))?.unread_count;
    this.remember(change.channel, change.thread_ts, change);
    this.adjustCount(before, change);
    const pane = app.thread;
    const looking =
      pane.isOpen &&
      pane.channelId === change.channel &&
      pane.rootTs === change.thread_ts &&
      document.visibilityState === "visible";
    if (looking && change.unread_count) this.markRead(change.channel, change.thread_ts);
    if (looking) pane.renderHeader();
    this.scheduleCount();
    const row = this.shown.find((t) => t.channel === change.channel && t.root.ts === change.thread_ts);
    if (app.view === "threads" && (!row || "reply_count" in change)) this.scheduleShow();
    else if (row && "unread_count" in change) this.markRow(row, change.unread_count);
  }

  /** The badge at once from what changed (a thread I had not seen counts as read before); the server's
   * count follows a moment later and corrects it. */
  adjustCount(before, change) {
    if (!("unread_count" in change)) return;
    const was = Boolean(before);
    const is = Boolean(change.unread_count) && change.following !== false;
    if (was === is) return;
    this.unread = Math.max(0, this.unread + (is ? 1 : -1));
    this.app.store.emit("channels");
  }

  scheduleShow() {
    clearTimeout(this.showTimer);
    this.showTimer = setTimeout(() => this.app.view === "threads" && this.show(), COUNT_DELAY_MS);
  }

  markRow(thread, count) {
    thread.unread_count = count;
    const previous = thread.node;
    thread.node = this.row(thread);
    previous?.replaceWith(thread.node);
  }

  async show() {
    const { app } = this;
    if (app.view !== "threads") app.showView("threads");
    document.title = `${gettext("Threads")} · ${app.store.workspace.name}`;
    const list = h("ul", { class: "results threads", "aria-live": "polite" });
    if (!this.shown.length) list.append(h("li", { class: "loading" }, gettext("Loading…")));
    app.search.root.replaceChildren(
      h("header", { class: "view-header threads-header" }, h("h1", {}, gettext("Threads")), this.preference()),
      list,
    );
    try {
      const data = await app.api.get(this.base(), { limit: 50 });
      this.shown = data.threads;
      for (const thread of data.threads)
        this.remember(thread.channel, thread.root.ts, { following: true, unread_count: thread.unread_count });
      this.unread = data.unread_threads;
      app.store.emit("channels");
      for (const thread of data.threads) thread.node = this.row(thread);
      list.replaceChildren(...data.threads.map((thread) => thread.node));
      if (!data.threads.length)
        list.replaceChildren(
          h("li", { class: "empty-state" }, gettext("Threads you start, reply to or are mentioned in show here.")),
        );
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
    }
  }

  /** "Notify me about new replies in threads I follow": on by default, per workspace. */
  preference() {
    const { app } = this;
    const path = `${this.base()}/preferences`;
    const box = h("input", {
      type: "checkbox",
      disabled: true,
      onchange: async () => {
        const data = await app.guard(app.api.put(path, { new_replies: box.checked }));
        if (!data) box.checked = !box.checked;
      },
    });
    app.api.get(path).then(
      (data) => {
        box.checked = data.new_replies;
        box.disabled = false;
      },
      () => {},
    );
    return h("label", { class: "threads-header__pref" }, box, ` ${gettext("Notify me about new replies")}`);
  }

  open(thread) {
    const { app } = this;
    app.openChannel(thread.channel).then(() => app.thread.open(thread.channel, thread.root.ts));
  }

  row(thread) {
    const { app } = this;
    const { store } = app;
    const { root, unread_count: unread } = thread;
    const channel = store.channels.get(thread.channel);
    const where = channel ? (channel.is_im || channel.is_mpim ? store.channelTitle(channel) : `#${channel.name}`) : "";
    const reply = (message) =>
      h(
        "div",
        { class: "thread-item__reply" },
        avatar(store.user(message.user), "xs"),
        h("strong", {}, store.displayName(message.user)),
        h("div", { class: "thread-item__text" }, renderMarkdown(message.text, app.markdownContext)),
      );
    const label = [
      where,
      unread
        ? interpolate(ngettext("%(count)s unread reply", "%(count)s unread replies", unread), { count: unread })
        : "",
    ];
    return h(
      "li",
      {
        class: `thread-item${unread ? " thread-item--unread" : ""}`,
        dataset: { channel: thread.channel, ts: root.ts },
      },
      h(
        "button",
        {
          type: "button",
          class: "result",
          "aria-label": label.filter(Boolean).join(", "),
          onclick: () => this.open(thread),
        },
        h(
          "span",
          { class: "result__body" },
          h(
            "span",
            { class: "result__meta" },
            h("strong", { class: "thread-item__channel" }, where),
            h("span", { class: "muted" }, ` · ${store.displayName(root.user)} · `),
            h("time", { class: "muted", title: fullDate(root.ts) }, relative(root.ts)),
            unread
              ? h("span", { class: "badge-count thread-item__unread", "aria-hidden": "true" }, String(unread))
              : null,
          ),
          h("div", { class: "result__snippet" }, renderMarkdown(root.text, app.markdownContext)),
          ...(thread.latest_replies || []).map(reply),
          h(
            "span",
            { class: "thread-item__count muted" },
            interpolate(ngettext("%(count)s reply", "%(count)s replies", root.reply_count || 0), {
              count: root.reply_count || 0,
            }),
          ),
        ),
      ),
    );
  }
}
