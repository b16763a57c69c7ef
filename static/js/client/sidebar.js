// The sidebar: workspace menu, channels and direct messages (unread bold, mention badges, muted dimmed,
// presence dots), and the way to the Threads, mentions, saved and search views.

import { h, icon } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { avatar, presenceDot } from "./render/avatar.js";

export class Sidebar {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById("sidebar-channels");
    app.store.addEventListener("channels", () => this.schedule());
    app.store.addEventListener("users", () => this.schedule());
    app.store.addEventListener("presence", () => this.schedule());
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  item(channel) {
    const { store } = this.app;
    const direct = channel.is_im || channel.is_mpim;
    const unread = channel.unread_count > 0;
    const mentions = channel.mention_count || 0;
    const current = store.current === channel.id && this.app.view === "channel";
    const classes = ["side-item"];
    if (unread && !channel.muted) classes.push("side-item--unread");
    if (channel.muted) classes.push("side-item--muted");
    if (current) classes.push("side-item--current");
    let lead;
    if (channel.is_im) {
      const other = (channel.members || []).find((id) => id !== store.me.id) || store.me.id;
      lead = h(
        "span",
        { class: "side-item__avatar" },
        avatar(store.user(other), "xs"),
        presenceDot(store.presence.get(other)),
      );
    } else if (channel.is_mpim) {
      lead = h(
        "span",
        { class: "side-item__glyph side-item__glyph--group", "aria-hidden": "true" },
        String((channel.members || []).length - 1),
      );
    } else {
      lead = h("span", { class: "side-item__glyph", "aria-hidden": "true" }, channel.is_private ? "🔒" : "#");
    }
    const label = store.channelTitle(channel);
    const draft = !current && this.app.drafts.has(channel.id);
    const a11y = [direct ? label : interpolate(gettext("channel %(name)s"), { name: label })];
    if (draft) a11y.push(gettext("draft"));
    if (mentions)
      a11y.push(interpolate(ngettext("%(count)s mention", "%(count)s mentions", mentions), { count: mentions }));
    else if (unread) a11y.push(gettext("unread"));
    return h(
      "li",
      {},
      h(
        "a",
        {
          class: classes.join(" "),
          href: this.app.channelUrl(channel.id),
          "aria-current": current ? "page" : null,
          "aria-label": a11y.join(", "),
          dataset: { channel: channel.id },
          onclick: (event) => {
            if (!event.metaKey && !event.ctrlKey) {
              event.preventDefault();
              this.app.openChannel(channel.id);
            }
          },
        },
        lead,
        h("span", { class: "side-item__name" }, label),
        draft ? h("span", { class: "side-item__draft", title: gettext("Draft"), "aria-hidden": "true" }, "✎") : null,
        mentions ? h("span", { class: "badge-count", "aria-hidden": "true" }, String(mentions)) : null,
      ),
    );
  }

  section(title, channels, addAction, addLabel) {
    return h(
      "section",
      { class: "side-section" },
      h(
        "div",
        { class: "side-section__head" },
        h("h2", { class: "side-section__title" }, title),
        h(
          "button",
          { type: "button", class: "side-section__add", title: addLabel, "aria-label": addLabel, onclick: addAction },
          icon("plus"),
        ),
      ),
      h(
        "ul",
        { class: "side-list" },
        channels.map((channel) => this.item(channel)),
      ),
    );
  }

  /** Threads, bold with a badge while any thread I follow has unread replies. */
  threadsItem() {
    const unread = this.app.threads.unread;
    const classes = ["side-item", "side-item--threads"];
    if (this.app.view === "threads") classes.push("side-item--current");
    if (unread) classes.push("side-item--unread");
    const a11y = [gettext("Threads")];
    if (unread)
      a11y.push(
        interpolate(ngettext("%(count)s thread with unread replies", "%(count)s threads with unread replies", unread), {
          count: unread,
        }),
      );
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: classes.join(" "),
          "aria-label": a11y.join(", "),
          onclick: () => this.app.showThreads(),
        },
        h("span", { class: "side-item__glyph" }, icon("thread")),
        h("span", { class: "side-item__name" }, gettext("Threads")),
        unread ? h("span", { class: "badge-count", "aria-hidden": "true" }, String(unread)) : null,
      ),
    );
  }

  render() {
    const { store } = this.app;
    const all = [...store.channels.values()].filter(
      (c) => c.is_member !== false && !(c.is_archived && store.current !== c.id),
    );
    const byName = (a, b) => store.channelTitle(a).localeCompare(store.channelTitle(b));
    const channels = all.filter((c) => !c.is_im && !c.is_mpim).sort(byName);
    const dms = all.filter((c) => c.is_im || c.is_mpim).sort(byName);
    const nav = h(
      "ul",
      { class: "side-list side-list--nav" },
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: `side-item${this.app.view === "mentions" ? " side-item--current" : ""}`,
            onclick: () => this.app.showMentions(),
          },
          h("span", { class: "side-item__glyph" }, icon("at")),
          h("span", { class: "side-item__name" }, gettext("Mentions")),
        ),
      ),
      this.threadsItem(),
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: `side-item${this.app.view === "saved" ? " side-item--current" : ""}`,
            onclick: () => this.app.showSaved(),
          },
          h("span", { class: "side-item__glyph" }, icon("bookmark")),
          h("span", { class: "side-item__name" }, gettext("Saved for later")),
        ),
      ),
      h(
        "li",
        {},
        h(
          "button",
          { type: "button", class: "side-item", onclick: () => this.app.dialogs.browseChannels() },
          h("span", { class: "side-item__glyph" }, icon("search")),
          h("span", { class: "side-item__name" }, gettext("Browse channels")),
        ),
      ),
    );
    this.root.replaceChildren(
      nav,
      this.section(gettext("Channels"), channels, () => this.app.dialogs.createChannel(), gettext("Create a channel")),
      this.section(gettext("Direct messages"), dms, () => this.app.dialogs.newDm(), gettext("New direct message")),
    );
    const total = all.reduce((sum, c) => sum + (c.muted ? 0 : c.mention_count || 0), 0);
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (total) document.title = `(${total}) ${document.title}`;
  }
}
