// The thread pane beside the channel: the first message, its replies, and a composer for replying.

import { Composer } from "./composer.js";
import { h, icon } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { replaceRows } from "./message-keys.js";
import { messageRow } from "./render/message.js";

export class ThreadPane {
  constructor(app) {
    this.app = app;
    this.pane = document.getElementById("thread-pane");
    this.channelId = null;
    this.rootTs = null;
  }

  get isOpen() {
    return this.rootTs !== null;
  }

  async open(channelId, rootTs, focusTs = null) {
    const { store, api } = this.app;
    this.app.details.close();
    this.channelId = channelId;
    this.rootTs = rootTs;
    this.list = h(
      "div",
      { class: "thread__list", role: "log", "aria-label": gettext("Replies"), "aria-live": "off" },
      h("div", { class: "loading" }, gettext("Loading replies…")),
    );
    const composerRoot = h("div", { class: "thread__composer" });
    const channel = store.channels.get(channelId);
    this.header = h("header", { class: "pane__header" });
    this.renderHeader();
    this.pane.replaceChildren(this.header, this.list, composerRoot);
    this.pane.hidden = false;
    document.body.classList.add("pane-open");
    this.composer = new Composer(this.app, composerRoot, {
      threadTs: () => this.rootTs,
      label: gettext("Reply"),
      inThread: true,
    });
    if (channel) this.composer.setChannel(channel);
    this.app.updateUrl();
    const data = await api.get(`channels/${channelId}/messages/${rootTs}/replies`, { limit: 200 });
    if (this.rootTs !== rootTs) return;
    store.putMessage(data.root, { replace: true });
    for (const reply of data.replies) store.putMessage(reply, { replace: true });
    this.render();
    this.app.threads.following(channelId, rootTs).then(() => this.rootTs === rootTs && this.renderHeader());
    this.app.threads.markRead(channelId, rootTs);
    if (focusTs) {
      const row = this.list.querySelector(`.msg[data-ts="${CSS.escape(focusTs)}"]`);
      row?.scrollIntoView({ block: "center" });
      row?.classList.add("msg--highlight");
    }
    this.composer.focus();
  }

  /** The title, the channel, the follow button (its label once the server said whether I follow) and close. */
  renderHeader() {
    if (!this.isOpen || !this.header) return;
    const { store, threads } = this.app;
    const channel = store.channels.get(this.channelId);
    const state = threads.states.get(`${this.channelId}:${this.rootTs}`);
    const following = state?.following;
    const [channelId, rootTs] = [this.channelId, this.rootTs];
    this.header.replaceChildren(
      h(
        "div",
        {},
        h("h2", { class: "pane__title" }, gettext("Thread")),
        h(
          "p",
          { class: "pane__subtitle" },
          channel ? (channel.is_im || channel.is_mpim ? store.channelTitle(channel) : `#${channel.name}`) : "",
        ),
      ),
      state === undefined
        ? null
        : h(
            "button",
            {
              type: "button",
              class: `btn btn--ghost thread__follow${following ? " thread__follow--on" : ""}`,
              "aria-pressed": following ? "true" : "false",
              onclick: () => threads.setFollowing(channelId, rootTs, !following),
            },
            following ? gettext("Following") : gettext("Follow"),
          ),
      h(
        "button",
        { type: "button", class: "header-btn", "aria-label": gettext("Close thread"), onclick: () => this.close() },
        icon("close"),
      ),
    );
  }

  close() {
    const hadFocus = this.pane.contains(document.activeElement);
    this.rootTs = null;
    this.pane.hidden = true;
    this.pane.replaceChildren();
    document.body.classList.remove("pane-open");
    this.app.updateUrl();
    if (hadFocus) this.app.composer.focus(); // not the page: the keyboard goes on from the message box
  }

  render() {
    if (!this.isOpen) return;
    const { store } = this.app;
    const log = store.log(this.channelId);
    const root = log.byTs.get(this.rootTs);
    if (!root) return;
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    const replies = log.thread(this.rootTs);
    const rows = [messageRow(this.app, root, { inThread: true })];
    const count = replies.filter((m) => !m.ephemeral).length;
    if (count)
      rows.push(
        h(
          "div",
          { class: "thread__count", role: "separator" },
          h("span", {}, interpolate(ngettext("%(count)s reply", "%(count)s replies", count), { count })),
        ),
      );
    let previous = null;
    for (const reply of replies) {
      if (reply.deleted) continue;
      const continued =
        previous &&
        previous.user === reply.user &&
        parseFloat(reply.ts) - parseFloat(previous.ts) < 300 &&
        !reply.ephemeral &&
        !previous.ephemeral;
      rows.push(messageRow(this.app, reply, { inThread: true, continued }));
      previous = reply;
    }
    replaceRows(this.list, rows);
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  onMessage(message) {
    if (
      this.isOpen &&
      message.channel === this.channelId &&
      (message.ts === this.rootTs || message.thread_ts === this.rootTs)
    ) {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.render();
      });
    }
  }
}
