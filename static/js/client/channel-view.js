// The open channel: its header, the messages grouped by day and author, the "new messages" divider,
// scrolling back through older history (keyset, by seq) while keeping what you were reading in place,
// and marking the channel read when you reach the bottom.

import { clear, h, icon } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { replaceRows } from "./message-keys.js";
import { receiptRow } from "./read-receipts.js";
import { messageRow } from "./render/message.js";
import { isTopLevel } from "./store.js";
import { dayKey, dayLabel } from "./time.js";

const PAGE = 50;
const GROUP_SECONDS = 300;

export class ChannelView {
  constructor(app) {
    this.app = app;
    this.header = document.getElementById("channel-header");
    this.scroller = document.getElementById("messages");
    this.list = document.getElementById("message-list");
    this.channelId = null;
    this.dividerSeq = null;
    this.loadingOlder = false;
    this.stuck = true; // at the bottom: stays there when the layout changes (a pane opens, an image loads)
    this.scroller.addEventListener(
      "scroll",
      () => {
        this.stuck = this.atBottom();
        this.onScroll();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      if (this.stuck) this.scroller.scrollTop = this.scroller.scrollHeight;
    }).observe(this.list);
    new ResizeObserver(() => {
      if (this.stuck) this.scroller.scrollTop = this.scroller.scrollHeight;
    }).observe(this.scroller);
    document.addEventListener("visibilitychange", () => this.maybeMarkRead());
  }

  get channel() {
    return this.app.store.channels.get(this.channelId) || this.preview;
  }

  async open(channelId, { ts = null } = {}) {
    const { store, api } = this.app;
    this.channelId = channelId;
    this.preview = null;
    this.unreadHeld = false;
    let channel = store.channels.get(channelId);
    if (!channel) this.preview = channel = (await api.get(`channels/${channelId}`)).channel;
    this.dividerSeq = channel.unread_count ? channel.last_read_seq : null;
    this.renderHeader();
    this.app.appViews.attach(channel);
    clear(this.list).append(h("div", { class: "loading" }, gettext("Loading messages…")));
    const log = store.log(channelId);
    const loaded = log.loaded;
    // Before reading its messages: from then on its reactions reach us live, however large it is.
    const shown = this.app.socket.setView(channelId);
    if (ts) {
      if (loaded) log.dropBefore(Infinity, this.openThreadRoot(channelId)); // cached pages: reactions may be stale
      await shown.then(() => this.loadAround(ts));
    } else if (!loaded) await shown.then(() => this.loadNewest(channelId));
    else shown.then(() => this.refreshNewest(channelId)).catch(() => {});
    if (loaded) this.loadReceipts();
    this.render({ toBottom: !ts });
    if (ts) this.highlight(ts);
    this.maybeMarkRead();
    this.loadMemberCount();
    this.loadPins();
  }

  /** Mark the pinned messages (history does not say which are), so their menus offer "Unpin". */
  async loadPins() {
    const id = this.channelId;
    try {
      const { messages } = await this.app.api.get(`channels/${id}/pins`);
      const log = this.app.store.log(id);
      for (const pinned of messages) {
        const known = log.byTs.get(pinned.ts);
        if (known && !known.pinned) log.byTs.set(pinned.ts, { ...known, pinned: true });
      }
      if (messages.length && id === this.channelId) this.scheduleRender();
    } catch {
      /* pins are decoration here; the details pane shows errors */
    }
  }

  /** Who has seen the last message of a small DM, when the workspace shows read receipts. */
  async loadReceipts() {
    const id = this.channelId;
    const channel = this.channel;
    if (!this.app.store.workspace.read_receipts || !(channel?.is_im || channel?.is_mpim)) return;
    try {
      const data = await this.app.api.get(`channels/${id}/read-receipts`);
      this.app.store.receipts.set(id, data.read_receipts);
      if (id === this.channelId) this.scheduleRender();
    } catch {
      /* receipts are decoration; the next read_receipts_changed brings them */
    }
  }

  /** The channel's newest page, stored without undoing what the socket changed while it was being read. */
  async loadNewest(id = this.channelId) {
    const { store, api } = this.app;
    const log = store.log(id);
    const changed = new Set(); // messages the socket stored meanwhile: its copy is the newer one
    log.watchers.add(changed);
    let data;
    try {
      data = await api.get(`channels/${id}/messages`, { limit: PAGE });
    } finally {
      log.watchers.delete(changed);
    }
    if (data.read_receipts !== undefined) store.receipts.set(id, data.read_receipts);
    for (const message of data.messages) if (!changed.has(message.ts)) store.putMessage(message, { replace: true });
    log.loaded = true;
    log.hasOlder = data.has_more;
    const newest = data.messages.reduce((max, m) => Math.max(max, m.seq), 0);
    if (newest > log.applied) log.applied = newest;
    return data;
  }

  /**
   * A cached channel's newest page again, when it is opened: a large channel's reactions reached us
   * live only while it was shown. Older cached pages are dropped rather than shown stale (an open
   * thread's messages are kept: its pane shows them).
   */
  async refreshNewest(id) {
    const data = await this.loadNewest(id);
    const seqs = data.messages.map((m) => m.seq);
    if (seqs.length) this.app.store.log(id).dropBefore(Math.min(...seqs), this.openThreadRoot(id));
    if (id === this.channelId) this.scheduleRender();
  }

  /** The ts of the thread open in the pane, if it is in this channel. */
  openThreadRoot(channelId) {
    const thread = this.app.thread;
    return thread.isOpen && thread.channelId === channelId ? thread.rootTs : null;
  }

  async loadAround(ts) {
    const { store, api } = this.app;
    const message = (await api.get(`channels/${this.channelId}/messages/${ts}`)).message;
    const target = message.thread_ts && message.thread_ts !== ts ? message.thread_ts : ts;
    await this.loadNewest();
    const log = store.log(this.channelId);
    while (log.hasOlder && !log.byTs.has(target)) if (!(await this.fetchOlder())) break;
    if (message.thread_ts && message.thread_ts !== ts) this.app.thread.open(this.channelId, message.thread_ts, ts);
  }

  /** One older page; false when there is nothing more. */
  async fetchOlder() {
    const { store, api } = this.app;
    const log = store.log(this.channelId);
    const oldest = log.oldestSeq();
    if (!log.hasOlder || oldest === null) return false;
    const data = await api.get(`channels/${this.channelId}/messages`, { before: oldest, limit: PAGE });
    for (const message of data.messages) store.putMessage(message);
    log.hasOlder = data.has_more;
    return data.messages.length > 0;
  }

  async onScroll() {
    if (this.scroller.scrollTop < 200 && !this.loadingOlder && this.channelId) {
      const id = this.channelId;
      this.loadingOlder = true;
      try {
        if ((await this.fetchOlder()) && id === this.channelId) this.render();
      } finally {
        this.loadingOlder = false;
      }
    }
    this.maybeMarkRead();
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 40;
  }

  /** The first message row at least partly visible, and how far it sits below the top. */
  anchor() {
    const top = this.scroller.getBoundingClientRect().top;
    for (const row of this.list.querySelectorAll(".msg")) {
      const box = row.getBoundingClientRect();
      if (box.bottom > top) return { ts: row.dataset.ts, offset: box.top - top };
    }
    return null;
  }

  scheduleRender() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  render({ toBottom = false } = {}) {
    if (!this.channelId) return;
    const stick = toBottom || this.atBottom();
    const anchor = stick ? null : this.anchor();
    const log = this.app.store.log(this.channelId);
    const rows = [];
    if (!log.hasOlder) rows.push(this.intro());
    else rows.push(h("div", { class: "loading loading--older" }, gettext("Loading older messages…")));
    let previous = null;
    let last = null; // the last message the server has (not pending, not ephemeral): receipts go under it
    let dividerShown = false;
    for (const message of log.timeline()) {
      if (!previous || dayKey(previous.ts) !== dayKey(message.ts)) {
        rows.push(h("div", { class: "day-divider", role: "separator" }, h("span", {}, dayLabel(message.ts))));
        previous = null;
      }
      if (
        this.dividerSeq !== null &&
        !dividerShown &&
        message.seq > this.dividerSeq &&
        message.user !== this.app.store.me.id
      ) {
        rows.push(
          h(
            "div",
            { class: "new-divider", role: "separator", id: "new-divider" },
            h("span", {}, gettext("New messages")),
          ),
        );
        dividerShown = true;
        previous = null;
      }
      if (message.deleted && !message.reply_count) continue;
      const continued =
        previous &&
        previous.user === message.user &&
        !previous.deleted &&
        parseFloat(message.ts) - parseFloat(previous.ts) < GROUP_SECONDS &&
        !message.pending === !previous.pending &&
        !message.ephemeral &&
        !previous.ephemeral;
      rows.push(messageRow(this.app, message, { continued }));
      previous = message;
      if (!message.pending && !message.ephemeral && !message.deleted) last = message;
    }
    const receipt = last && receiptRow(this.app, this.channel, last);
    if (receipt) rows.push(receipt);
    replaceRows(this.list, rows);
    if (stick) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
      this.stuck = true;
    } else if (anchor) {
      const row = this.list.querySelector(`.msg[data-ts="${CSS.escape(anchor.ts)}"]`);
      if (row)
        this.scroller.scrollTop +=
          row.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top - anchor.offset;
    }
  }

  intro() {
    const channel = this.channel;
    const { store } = this.app;
    const title = store.channelTitle(channel);
    const beginning =
      channel.is_im || channel.is_mpim
        ? interpolate(gettext("This is the very beginning of your direct message history with %(title)s."), { title })
        : interpolate(gettext("This is the very beginning of the #%(channel)s channel."), { channel: channel.name });
    const text =
      channel.purpose?.value && !(channel.is_im || channel.is_mpim)
        ? `${beginning} ${channel.purpose.value}`
        : beginning;
    return h(
      "div",
      { class: "channel-intro" },
      h("h2", {}, channel.is_im || channel.is_mpim ? title : `#${title}`),
      h("p", {}, text),
    );
  }

  highlight(ts) {
    const row = this.list.querySelector(`.msg[data-ts="${CSS.escape(ts)}"]`);
    if (!row) return;
    row.scrollIntoView({ block: "center" });
    row.classList.add("msg--highlight");
    row.focus({ preventScroll: true });
    setTimeout(() => row.classList.remove("msg--highlight"), 3000);
  }

  /** After "Mark unread": show the divider above `seq` and read nothing more here until the channel is left. */
  keepUnread(seq) {
    this.unreadHeld = true;
    this.dividerSeq = seq - 1;
    this.render({ toBottom: false });
  }

  maybeMarkRead() {
    const channel = this.app.store.channels.get(this.channelId);
    if (!channel || this.unreadHeld || document.visibilityState !== "visible" || !this.atBottom()) return;
    const log = this.app.store.log(this.channelId);
    const seq = Math.max(log.applied, ...[...log.byTs.values()].map((m) => m.seq || 0));
    if (seq > (channel.last_read_seq || 0) || channel.unread_count || channel.mention_count)
      this.app.markRead(this.channelId, seq);
  }

  renderHeader() {
    const channel = this.channel;
    const { store } = this.app;
    const direct = channel.is_im || channel.is_mpim;
    const name = direct ? store.channelTitle(channel) : channel.name;
    const topic = channel.topic?.value || "";
    const title = h(
      "h1",
      { class: "channel-header__name" },
      direct
        ? null
        : h("span", { class: "channel-header__hash", "aria-hidden": "true" }, channel.is_private ? "🔒" : "#"),
      name,
    );
    const actions = h(
      "div",
      { class: "channel-header__actions" },
      h(
        "button",
        {
          type: "button",
          class: "header-btn",
          id: "members-button",
          title: gettext("Members"),
          onclick: () => this.app.details.open("members"),
        },
        icon("people"),
        // Named "Members 4", so the visible count is part of the name (WCAG 2.5.3, label in name).
        h("span", { class: "sr-only" }, gettext("Members")),
        h("span", { id: "member-count" }, ""),
      ),
      h(
        "button",
        {
          type: "button",
          class: "header-btn",
          title: gettext("Pinned messages"),
          "aria-label": gettext("Pinned messages"),
          onclick: () => this.app.details.open("pins"),
        },
        icon("pin"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "header-btn",
          title: gettext("Channel details"),
          "aria-label": gettext("Channel details"),
          onclick: () => this.app.details.open("about"),
        },
        icon("info"),
      ),
    );
    const nav = h(
      "button",
      {
        type: "button",
        class: "header-btn header-btn--nav",
        "aria-label": gettext("Open the sidebar"),
        onclick: () => document.body.classList.toggle("sidebar-open"),
      },
      icon("menu"),
    );
    const body = h(
      "div",
      { class: "channel-header__main" },
      title,
      topic ? h("p", { class: "channel-header__topic", title: topic }, topic) : null,
    );
    const notice = channel.is_archived
      ? h("p", { class: "channel-header__archived" }, gettext("This channel is archived."))
      : null;
    this.header.replaceChildren(nav, body, actions, notice || "");
    document.title = `${direct ? name : `#${name}`} · ${store.workspace.name}`;
    this.app.composer.setChannel(channel);
  }

  async loadMemberCount() {
    const id = this.channelId;
    try {
      const data = await this.app.api.get(`channels/${id}/members`, { limit: 200 });
      if (id !== this.channelId) return;
      const count = document.getElementById("member-count");
      if (count) count.textContent = data.next ? "200+" : String(data.members.length);
    } catch {
      /* the count is decoration */
    }
  }

  /** After our own send: follow it to the bottom once it is drawn. */
  scrollToBottomSoon() {
    this.stuck = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        this.scroller.scrollTop = this.scroller.scrollHeight;
      }),
    );
  }

  /** A message (or change) arrived for the open channel. */
  onMessage(message) {
    if (message.channel === this.channelId && (isTopLevel(message) || message.pending !== undefined))
      this.scheduleRender();
  }
}
