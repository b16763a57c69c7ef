// The client's entry point: reads the page's bootstrap document, loads people and channels over the
// REST API, connects the socket, and wires the views together. Everything the user does goes
// through the actions here.

import { MessageActions } from "./actions.js";
import { Api } from "./api.js";
import { AppViews } from "./app-views.js";
import { ChannelView } from "./channel-view.js";
import { Composer, decodeMentions, encodeMentions } from "./composer.js";
import { CustomEmoji } from "./custom-emoji.js";
import { DetailsPane } from "./details.js";
import { Dialogs } from "./dialogs.js";
import { h } from "./dom.js";
import { Drafts } from "./drafts.js";
import { closeEmojiPicker, openEmojiPicker } from "./emoji.js";
import { EventHandler } from "./events.js";
import { gettext, interpolate } from "./i18n.js";
import { plainText } from "./markdown.js";
import { installMenus } from "./menus.js";
import { installMessageKeys } from "./message-keys.js";
import { DesktopNotifications, registerServiceWorker } from "./push.js";
import { Saved } from "./saved.js";
import { SearchView } from "./search.js";
import { sendPending } from "./send.js";
import { Sidebar } from "./sidebar.js";
import { SidebarSections } from "./sidebar-sections.js";
import { Socket } from "./socket.js";
import { Store } from "./store.js";
import { installSwitcher } from "./switcher.js";
import { ThreadPane } from "./thread.js";
import { Threads } from "./threads.js";
import { setTimeZone } from "./time.js";
import { Uploads } from "./uploads.js";

const STATE_TEXT = {
  connecting: gettext("Connecting…"),
  online: gettext("Connected"),
  reconnecting: gettext("Reconnecting…"),
  offline: gettext("You are offline. Messages will arrive when you reconnect."),
  signed_out: gettext("You have been signed out."),
};

const PRESENCE_FOLLOW_DELAY_MS = 50; // the people shown by one render are told at once

class App {
  constructor(boot) {
    this.boot = boot;
    this.view = "channel";
    this.api = new Api(boot.api);
    this.store = new Store(boot);
    for (const id of boot.online || []) this.store.presence.set(id, "active");
    setTimeZone(boot.self.tz);
    this.markdownContext = {
      meId: boot.self.id,
      userName: (id, label) => (this.store.users.has(id) ? this.store.user(id).name : label || id),
      channelName: (id, label) => this.store.channels.get(id)?.name || label || id,
      channelHref: (id) => this.channelUrl(id),
      usergroupHandle: (id, label) => this.store.usergroups.get(id)?.handle || (label || id).replace(/^@/, ""),
      inUsergroup: (id) => this.store.inUsergroup(id),
    };
    this.socket = new Socket(boot.ws, () => this.store.lastSeqs());
    this.events = new EventHandler(this);
    this.actions = new MessageActions(this);
    this.ui = { joinBar: (channel, show) => this.renderJoinBar(channel, show) };
    this.drafts = new Drafts(this.store.workspace.id, () => this.store.emit("channels"));
    this.composer = new Composer(this, document.getElementById("composer"));
    this.channelView = new ChannelView(this);
    this.thread = new ThreadPane(this);
    this.details = new DetailsPane(this);
    this.dialogs = new Dialogs(this);
    this.search = new SearchView(this);
    this.sections = new SidebarSections(this);
    this.sidebar = new Sidebar(this);
    this.uploads = new Uploads(this);
    this.customEmoji = new CustomEmoji(this);
    this.appViews = new AppViews(this);
    this.saved = new Saved(this);
    this.threads = new Threads(this);
    this.desktop = new DesktopNotifications(this);
    this.announcer = document.getElementById("announcer");
    this.unsentMarks = new Map(); // channel → seq not yet acknowledged
    this.sentMarks = new Map();
    addEventListener("pagehide", () => this.flushMarksOnExit());
  }

  async start() {
    const { store, api } = this;
    registerServiceWorker();
    const workspaceId = store.workspace.id;
    const [members, mine, groups] = await Promise.all([
      api.all(`workspaces/${workspaceId}/members`, "members", { limit: 500 }),
      api.get(`workspaces/${workspaceId}/channels`),
      api.get(`workspaces/${workspaceId}/usergroups`),
      this.customEmoji.load(),
      this.saved.load(),
      this.threads.load(),
    ]);
    store.setUsers(members.map((m) => m.user));
    store.setUsergroups(groups.usergroups);
    for (const channel of mine.channels) store.setChannel(channel);
    this.sections.take(mine.sidebar);
    this.socket.addEventListener("event", (event) => this.events.handle(event.detail));
    this.socket.addEventListener("state", (event) => this.renderConnection(event.detail));
    this.socket.addEventListener("resumed", (event) => this.onResumed(event.detail));
    this.socket.addEventListener("presence", (event) => this.events.presenceNow(event.detail));
    this.store.addEventListener("presence-wanted", () => this.schedulePresenceFollow());
    this.socket.followPresence([]); // until the page shows someone: nobody's changes
    this.socket.connect();
    installSwitcher(this);
    installMenus(this);
    installMessageKeys(this);
    addEventListener("popstate", () => this.route(false));
    await this.route(false);
    document.body.classList.add("client-ready");
  }

  // --- Navigation ---------------------------------------------------------------------------

  channelUrl(channelId) {
    return `/${this.store.workspace.slug}/archives/${channelId}/`;
  }

  async route(push = true) {
    const match = location.pathname.match(/\/archives\/([A-Z0-9]+)\/(?:p(\d+))?/);
    const params = new URLSearchParams(location.search);
    if (match) {
      const ts = match[2] ? `${match[2].slice(0, -6)}.${match[2].slice(-6)}` : null;
      await this.openChannel(match[1], { ts, push });
      const threadTs = params.get("thread_ts");
      if (threadTs && !ts) this.thread.open(match[1], threadTs);
    } else this.openDefault();
  }

  openDefault() {
    const saved = localStorage.getItem(`slackclone:last:${this.store.workspace.id}`);
    const channels = [...this.store.channels.values()];
    const target = this.store.channels.get(saved) || channels.find((c) => c.is_general) || channels[0];
    if (target) this.openChannel(target.id, { replace: true });
  }

  async openChannel(channelId, { ts = null, push = true, replace = false } = {}) {
    closeEmojiPicker();
    document.body.classList.remove("sidebar-open");
    this.showView("channel");
    if (this.thread.isOpen && this.thread.channelId !== channelId) this.thread.close();
    this.details.close();
    this.store.current = channelId;
    this.store.emit("channels");
    localStorage.setItem(`slackclone:last:${this.store.workspace.id}`, channelId);
    const url = this.channelUrl(channelId) + (ts ? `p${ts.replace(".", "")}` : "");
    if (replace) history.replaceState(null, "", url);
    else if (push && location.pathname !== url) history.pushState(null, "", url);
    try {
      await this.channelView.open(channelId, { ts });
    } catch (error) {
      this.toast(
        error.code === "channel_not_found"
          ? gettext("That channel does not exist, or you cannot see it.")
          : error.message,
      );
      return;
    }
    this.renderTyping();
    if (!ts) this.composer.focus();
  }

  updateUrl() {
    const base = this.channelUrl(this.store.current);
    const url = this.thread.isOpen ? `${base}?thread_ts=${this.thread.rootTs}` : base;
    if (location.pathname + location.search !== url) history.replaceState(null, "", url);
  }

  showView(view) {
    this.view = view;
    document.getElementById("channel-view").hidden = view !== "channel";
    document.getElementById("search-view").hidden = view === "channel";
    if (view !== "channel") {
      this.thread.close();
      this.details.close();
      document.body.classList.remove("sidebar-open");
    }
    this.store.emit("channels");
  }

  showMentions() {
    this.search.mentions();
  }

  showSaved() {
    this.saved.show();
  }

  showThreads() {
    this.threads.show();
  }

  async openDm(userId) {
    const data = await this.guard(this.api.post(`workspaces/${this.store.workspace.id}/dms`, { users: [userId] }));
    if (!data) return;
    this.store.setChannel({ is_member: true, unread_count: 0, mention_count: 0, ...data.channel });
    this.openChannel(data.channel.id);
  }

  // --- Messages -------------------------------------------------------------------------------

  newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  /**
   * Optimistic send: shown at once as pending, confirmed by the server's copy, or failed with a retry. A
   * failover or a dropped socket keeps it pending while it is sent again, for up to a minute (send-retry.js).
   */
  async post({ channel, text, thread_ts = null, reply_broadcast = false, client_msg_id = null }) {
    const id = client_msg_id || this.newId();
    const pending = {
      channel,
      text,
      thread_ts,
      reply_broadcast,
      client_msg_id: id,
      user: this.store.me.id,
      ts: (Date.now() / 1000).toFixed(6),
      seq: Infinity,
      pending: true,
    };
    if (thread_ts) pending.thread_ts = thread_ts;
    else delete pending.thread_ts;
    this.store.addPending(pending);
    this.events.touched(pending);
    this.channelView.scrollToBottomSoon();
    try {
      const message = await sendPending(this, pending); // pending while a failover or a dropped socket passes
      if (message) this.receive(message);
    } catch (error) {
      const log = this.store.log(channel);
      if (!log.pending.has(id)) return; // the socket's copy already confirmed it
      // Offline: it waits for the connection (resumed, it goes again); anything else, an outage past the
      // retries' bound included, shows as failed with a retry.
      const transient = !error.code || ["disconnected", "timeout", "network_error"].includes(error.code);
      log.pending.set(id, { ...pending, pending: false, failed: true, transient, error: error.message });
      this.events.touched(pending);
      if (!transient) this.toast(error.message);
    }
  }

  /** Our own message as the server stored it (from an answer or an upload): the same path as an event. */
  receive(message) {
    this.events.handle({ ...message, type: "message" });
  }

  lastOwnMessage(channelId, threadTs) {
    if (!channelId) return null;
    const log = this.store.log(channelId);
    const list = threadTs ? log.thread(threadTs) : log.timeline();
    return (
      [...list]
        .reverse()
        .find(
          (m) =>
            m.user === this.store.me.id &&
            !m.pending &&
            !m.failed &&
            !m.deleted &&
            !m.ephemeral &&
            !m.files?.length &&
            this.actions.editable(m),
        ) || null
    );
  }

  /** Seqs went missing on the socket: ask for them again (the replay comes back as events). */
  fillGap(channelId) {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(async () => {
      this.gapTimer = null;
      try {
        await this.socket.request(
          { type: "resume", channels: { [channelId]: this.store.log(channelId).applied } },
          15000,
        );
      } catch {
        /* the next reconnect resumes */
      }
    }, 50);
  }

  /** A moment after the page shows someone new, follow the presence of everyone it has shown (store.presenceOf). */
  schedulePresenceFollow() {
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const ids = [...this.store.presenceShown.keys()];
      this.store.presenceFollowed = new Set(ids);
      this.socket.followPresence(ids);
    }, PRESENCE_FOLLOW_DELAY_MS);
  }

  onResumed(answer) {
    // thread_state_changed is not replayed either: ask for the Threads badge again.
    this.threads.refreshCount();
    // Emoji added or removed while the socket was away: emoji_changed is not replayed, so read the list again.
    this.customEmoji.load().catch(() => {});
    // Nor are read receipts: forget them, and read the open DM's again (nothing to read elsewhere).
    this.store.receipts.clear();
    if (this.channelView.channelId) this.channelView.loadReceipts();
    this.sections.load().catch(() => {});
    for (const [channelId, state] of Object.entries(answer.channels || {})) {
      const log = this.store.log(channelId);
      if (state.seq > log.applied && !state.has_more) log.applied = state.seq;
      if (state.has_more) {
        log.loaded = false;
        log.byTs.clear();
        log.applied = state.seq;
        if (this.store.current === channelId) this.channelView.open(channelId);
      }
    }
    this.channelView.maybeMarkRead();
    // Sends that failed only because the connection was down go again, under the same client_msg_id.
    for (const log of this.store.logs.values()) {
      for (const message of [...log.pending.values()]) {
        if (message.failed && message.transient) this.actions.retry(message);
      }
    }
  }

  /**
   * Move the read marker: at once (then at most every 250 ms), on the socket when it is open. A marker
   * not yet acknowledged when the page goes away is sent again over HTTP with keepalive, so a reload
   * never shows as unread what was read.
   */
  markRead(channelId, seq) {
    const channel = this.store.channels.get(channelId);
    if (!channel || !Number.isFinite(seq)) return;
    this.store.setChannel({
      id: channelId,
      last_read_seq: Math.max(seq, channel.last_read_seq || 0),
      unread_count: 0,
      mention_count: 0,
    });
    this.unsentMarks.set(channelId, seq);
    if (this.markTimer) return;
    this.flushMarks();
    this.markTimer = setTimeout(() => {
      this.markTimer = null;
      this.flushMarks();
    }, 250);
  }

  flushMarks() {
    for (const [channelId, seq] of this.unsentMarks) {
      if (this.sentMarks.get(channelId) === seq) continue;
      this.sentMarks.set(channelId, seq);
      const request = this.socket.isOpen
        ? this.socket.request({ type: "mark", channel: channelId, seq })
        : this.api.post(`channels/${channelId}/read`, { seq });
      request.then(
        () => {
          if (this.unsentMarks.get(channelId) === seq) this.unsentMarks.delete(channelId);
        },
        () => this.sentMarks.delete(channelId),
      );
    }
  }

  flushMarksOnExit() {
    const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
    for (const [channelId, seq] of this.unsentMarks) {
      fetch(this.api.url(`channels/${channelId}/read`), {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ seq }),
      }).catch(() => {});
    }
  }

  // --- Channels ------------------------------------------------------------------------------

  async joinChannel(channelId) {
    const data = await this.guard(this.api.post(`channels/${channelId}/join`));
    if (!data) return false;
    this.store.setChannel({ unread_count: 0, mention_count: 0, ...data.channel, is_member: true });
    this.openChannel(channelId);
    return true;
  }

  async leaveChannel(channel) {
    const names = { channel: channel.name };
    if (!confirm(interpolate(gettext("Leave #%(channel)s?"), names))) return;
    if (
      await this.guard(
        this.api.post(`channels/${channel.id}/leave`),
        interpolate(gettext("You left #%(channel)s."), names),
      )
    ) {
      this.store.removeChannel(channel.id);
      this.openDefault();
    }
  }

  async archiveChannel(channel, archive) {
    const question = gettext("Archive #%(channel)s? Nobody will be able to post in it.");
    if (archive && !confirm(interpolate(question, { channel: channel.name }))) return;
    const data = await this.guard(
      this.api.post(`channels/${channel.id}/${archive ? "archive" : "unarchive"}`),
      archive ? gettext("Channel archived.") : gettext("Channel unarchived."),
    );
    if (data) {
      this.store.setChannel({ id: channel.id, is_archived: archive });
      this.channelView.renderHeader();
      this.details.close();
    }
  }

  // --- Feedback -------------------------------------------------------------------------------

  /** Await an API call; on failure show its message and give null. On success optionally say so. */
  async guard(promise, success = null) {
    try {
      const result = await promise;
      if (success) this.toast(success, "success");
      return result || {};
    } catch (error) {
      this.toast(error.message);
      return null;
    }
  }

  toast(text, kind = "error") {
    const node = h("div", { class: `toast toast--${kind}`, role: kind === "error" ? "alert" : "status" }, text);
    document.getElementById("toasts").append(node);
    setTimeout(() => node.remove(), 5000);
  }

  announce(text) {
    this.announcer.textContent = "";
    setTimeout(() => {
      this.announcer.textContent = text;
    }, 30);
  }

  plain(text) {
    return plainText(text, this.markdownContext);
  }

  renderConnection(state) {
    const bar = document.getElementById("connection");
    bar.dataset.state = state;
    bar.textContent = state === "online" ? "" : STATE_TEXT[state];
    bar.hidden = state === "online" || (state === "connecting" && !this.socket.attempt);
    document.body.dataset.connection = state;
    if (state === "signed_out") setTimeout(() => location.reload(), 1500);
  }

  renderTyping() {
    const node = document.getElementById("typing");
    const users = this.events.typers(this.store.current).map((id) => this.store.displayName(id));
    let text = "";
    if (users.length === 1) text = interpolate(gettext("%(name)s is typing…"), { name: users[0] });
    else if (users.length === 2)
      text = interpolate(gettext("%(first)s and %(second)s are typing…"), { first: users[0], second: users[1] });
    else if (users.length > 2) text = gettext("Several people are typing…");
    node.textContent = text;
  }

  renderJoinBar(channel, show) {
    const bar = document.getElementById("join-bar");
    bar.hidden = !show;
    if (show) {
      bar.replaceChildren(
        h("p", {}, `${interpolate(gettext("You are viewing #%(channel)s."), { channel: channel.name })} `),
        h(
          "button",
          { type: "button", class: "btn btn--primary", onclick: () => this.joinChannel(channel.id) },
          gettext("Join channel"),
        ),
      );
    }
  }

  // Re-exported so actions.js needs no imports of its own for these.
  encode(text) {
    return encodeMentions(text, this.store);
  }
  decode(text) {
    return decodeMentions(text, this.store);
  }
  emojiPicker(anchor, onPick) {
    openEmojiPicker(anchor, onPick);
  }
}

const boot = JSON.parse(document.getElementById("client-bootstrap").textContent);
const app = new App(boot);
window.slackclone = app; // for the browser tests and the curious; nothing depends on it
app.start().catch((error) => {
  app.toast(interpolate(gettext("Could not load the workspace: %(reason)s"), { reason: error.message }));
});
