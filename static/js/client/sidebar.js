// The sidebar: the person's sections (their own, then Channels and Direct messages; Unreads on top when
// they want it), each collapsible, sorted their way and a drop target for dragging conversations between
// them; unread bold, mention badges, muted dimmed, presence dots; the ways to Threads, mentions, saved and browse.

import { h, icon, successorOf } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { avatar, presenceDot } from "./render/avatar.js";
import { arrangeSidebar, dropPosition, isDirect } from "./sidebar-layout.js";

const DRAG_TYPE = "application/x-slackclone-channel";

export class Sidebar {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById("sidebar-channels");
    app.store.addEventListener("channels", () => this.schedule());
    app.store.addEventListener("users", () => this.schedule());
    app.store.addEventListener("presence", () => this.schedule());
    app.store.addEventListener("sidebar", () => this.schedule());
    this.dragging = null; // the conversation being dragged
    this.drags = 0; // drags started: a late dragend of an earlier one must not end the current one
    this.pressed = false; // a pointer is down on a conversation: a drag may be about to start
    this.unreadHeld = null; // the open conversation, kept in Unreads while it is open
    // Redrawing between the press and the drag's start would replace the pressed node and lose the drag.
    this.root.addEventListener("pointerdown", (event) => {
      if (event.target.closest?.("li[draggable=true]")) this.pressed = true;
    });
    document.addEventListener("pointerup", () => this.release());
    document.addEventListener("pointercancel", () => this.release());
  }

  release() {
    if (!this.pressed) return;
    this.pressed = false;
    if (!this.dragging) this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  item(channel, sectionId = null) {
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
        presenceDot(store.presenceOf(other)),
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
      {
        dataset: { channel: channel.id },
        draggable: sectionId ? "true" : null,
        ondragstart: sectionId ? (event) => this.dragStart(event, channel.id) : null,
        ondragend: sectionId ? (event) => this.dragEnd(event) : null,
      },
      h(
        "a",
        {
          class: classes.join(" "),
          href: this.app.channelUrl(channel.id),
          "aria-current": current ? "page" : null,
          "aria-label": a11y.join(", "),
          dataset: { channel: channel.id, focusKey: `side:${sectionId || "unreads"}:${channel.id}` },
          draggable: "false",
          onclick: (event) => {
            if (!event.metaKey && !event.ctrlKey) {
              event.preventDefault();
              this.app.openChannel(channel.id);
            }
          },
          oncontextmenu: (event) => {
            event.preventDefault();
            this.app.sections.channelMenu(channel, event.currentTarget);
          },
          onkeydown: (event) => {
            if (event.key === "ContextMenu" || (event.key === "F10" && event.shiftKey)) {
              event.preventDefault();
              this.app.sections.channelMenu(channel, event.currentTarget);
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

  /** A section: a disclosure button (aria-expanded) for its title, its menu, and its list, a drop target. */
  section({ section, channels, placed }, { title = null, addAction = null, addLabel = null } = {}) {
    const { store } = this.app;
    const id = section ? section.id : "unreads";
    const name = title || this.app.sections.title(section);
    const collapsed = Boolean(section?.collapsed);
    const listId = `side-list-${id}`;
    // A collapsed section still shows its unread conversations and the open one, as Slack's does.
    const shown = collapsed
      ? channels.filter((c) => (c.unread_count > 0 && !c.muted) || c.id === store.current)
      : channels;
    const toggle = section
      ? h(
          "button",
          {
            type: "button",
            class: "side-section__toggle",
            "aria-expanded": String(!collapsed),
            "aria-controls": listId,
            dataset: { focusKey: `side:${id}:toggle` },
            onclick: () => this.app.sections.toggle(section),
          },
          h("span", { class: "side-section__caret", "aria-hidden": "true" }, collapsed ? "▸" : "▾"),
          name,
        )
      : name;
    const menu = section
      ? h(
          "button",
          {
            type: "button",
            class: "side-section__add",
            "aria-haspopup": "menu",
            "aria-label": interpolate(gettext("Options for %(section)s"), { section: name }),
            title: gettext("Section options"),
            dataset: { focusKey: `side:${id}:options` },
            onclick: (event) => this.app.sections.sectionMenu(section, event.currentTarget),
          },
          icon("more"),
        )
      : null;
    const add = addAction
      ? h(
          "button",
          {
            type: "button",
            class: "side-section__add",
            title: addLabel,
            "aria-label": addLabel,
            dataset: { focusKey: `side:${id}:add` },
            onclick: addAction,
          },
          icon("plus"),
        )
      : null;
    const items = shown.map((channel) => this.item(channel, section ? id : null));
    if (section && !channels.length && section.type === "standard")
      items.push(h("li", { class: "side-list__empty" }, gettext("Drag conversations here")));
    const list = h("ul", { class: "side-list", id: listId, dataset: { section: section ? id : "" } }, items);
    const head = h(
      "div",
      { class: "side-section__head", dataset: { section: section ? id : "" } },
      h("h2", { class: "side-section__title" }, toggle),
      h("span", { class: "side-section__tools" }, menu, add),
    );
    if (section) {
      for (const zone of [head, list]) this.dropZone(zone, section, placed);
    }
    return h("section", { class: "side-section", dataset: { sectionId: id } }, head, list);
  }

  // --- Drag and drop: a conversation onto a section's list (before the item under the pointer) or title ---

  dragStart(event, channelId) {
    this.drags += 1;
    event.currentTarget.dataset.drag = String(this.drags);
    this.dragging = channelId;
    this.pressed = false;
    event.dataTransfer.setData(DRAG_TYPE, channelId);
    event.dataTransfer.setData("text/plain", this.app.channelUrl(channelId));
    event.dataTransfer.effectAllowed = "move";
  }

  /** The drag is over: dropped (no event), or its source's dragend. That dragend can come late, from a node a
   * redraw has already replaced, after the next drag began: then it is not this drag's, and ends nothing. */
  dragEnd(event = null) {
    if (event && event.currentTarget?.dataset?.drag !== String(this.drags)) return;
    this.dragging = null;
    for (const node of this.root.querySelectorAll(".is-drop-target, .is-drop-before"))
      node.classList.remove("is-drop-target", "is-drop-before");
    this.schedule();
  }

  dropZone(zone, section, placed) {
    const beforeOf = (event) => {
      const items = [...zone.querySelectorAll("li[data-channel]")];
      const next = items.find((li) => {
        const box = li.getBoundingClientRect();
        return event.clientY < box.top + box.height / 2;
      });
      return next ? next.dataset.channel : null;
    };
    zone.addEventListener("dragover", (event) => {
      if (!this.dragging) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      for (const node of this.root.querySelectorAll(".is-drop-target, .is-drop-before"))
        node.classList.remove("is-drop-target", "is-drop-before");
      zone.closest(".side-section")?.classList.add("is-drop-target");
      const before = zone.tagName === "UL" ? beforeOf(event) : null;
      if (before) zone.querySelector(`li[data-channel="${before}"]`)?.classList.add("is-drop-before");
    });
    zone.addEventListener("drop", (event) => {
      const channelId = event.dataTransfer.getData(DRAG_TYPE) || this.dragging;
      if (!channelId) return;
      event.preventDefault();
      const before = zone.tagName === "UL" ? beforeOf(event) : null;
      this.dragEnd();
      const position = section.sort === "manual" ? dropPosition(placed, channelId, before) : null;
      this.app.sections.move(channelId, section.id, position);
    });
  }

  /** The section a conversation shows in now (its placement, or its default section). */
  sectionOf(channelId) {
    for (const section of this.app.sections.layout.sections)
      if (section.channel_ids.includes(channelId)) return section.id;
    const channel = this.app.store.channels.get(channelId);
    return channel && isDirect(channel) ? "direct_messages" : "channels";
  }

  focusChannel(channelId) {
    requestAnimationFrame(() => this.root.querySelector(`a[data-channel="${channelId}"]`)?.focus());
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
          dataset: { focusKey: "side:nav:thread" },
          onclick: () => this.app.showThreads(),
        },
        h("span", { class: "side-item__glyph" }, icon("thread")),
        h("span", { class: "side-item__name" }, gettext("Threads")),
        unread ? h("span", { class: "badge-count", "aria-hidden": "true" }, String(unread)) : null,
      ),
    );
  }

  render() {
    // Redrawn on dragend or pointerup: replacing the pressed or dragged node would end the drag.
    if (this.dragging || this.pressed) return;
    const { store } = this.app;
    const all = [...store.channels.values()].filter(
      (c) => c.is_member !== false && !(c.is_archived && store.current !== c.id),
    );
    // The open channel stays in Unreads while it is open, though reading it cleared its count.
    if (this.unreadHeld !== store.current) this.unreadHeld = null;
    const inUnreads = (c) => (c.unread_count > 0 && !c.muted) || c.id === this.unreadHeld;
    const arranged = arrangeSidebar(this.app.sections.layout, all, {
      title: (c) => store.channelTitle(c),
      inUnreads,
    });
    if (arranged.unreads?.some((c) => c.id === store.current)) this.unreadHeld = store.current;
    const adds = {
      channels: [() => this.app.dialogs.createChannel(), gettext("Create a channel")],
      direct_messages: [() => this.app.dialogs.newDm(), gettext("New direct message")],
    };
    const sections = arranged.sections.map((part) => {
      const [addAction, addLabel] = adds[part.section.type] || [null, null];
      return this.section(part, { addAction, addLabel });
    });
    const unreads = arranged.unreads
      ? this.section({ section: null, channels: arranged.unreads, placed: [] }, { title: gettext("Unreads") })
      : null;
    // A redraw replaces every node: whoever was on one of them (from the keyboard) stays on its successor.
    const focused = this.root.contains(document.activeElement) ? document.activeElement : null;
    this.root.replaceChildren(...[this.nav(), unreads, ...sections, this.footer()].filter(Boolean));
    if (focused) successorOf(focused)?.focus({ preventScroll: true });
    const total = all.reduce((sum, c) => sum + (c.muted ? 0 : c.mention_count || 0), 0);
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (total) document.title = `(${total}) ${document.title}`;
  }

  navItem(label, glyph, onclick, current = false) {
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: `side-item${current ? " side-item--current" : ""}`,
          dataset: { focusKey: `side:nav:${glyph}` },
          onclick,
        },
        h("span", { class: "side-item__glyph" }, icon(glyph)),
        h("span", { class: "side-item__name" }, label),
      ),
    );
  }

  nav() {
    const { app } = this;
    return h(
      "ul",
      { class: "side-list side-list--nav" },
      this.navItem(gettext("Mentions"), "at", () => app.showMentions(), app.view === "mentions"),
      this.threadsItem(),
      this.navItem(gettext("Saved for later"), "bookmark", () => app.showSaved(), app.view === "saved"),
      this.navItem(gettext("Browse channels"), "search", () => app.dialogs.browseChannels()),
    );
  }

  /** Below the sections: a new section, and whether Unreads shows at the top. */
  footer() {
    const { sections } = this.app;
    const showing = sections.layout.show_unreads;
    return h(
      "ul",
      { class: "side-list side-list--footer" },
      this.navItem(gettext("Create a section"), "plus", () => sections.nameDialog()),
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "side-item",
            "aria-pressed": String(showing),
            dataset: { focusKey: "side:show-unreads" },
            onclick: () => sections.setShowUnreads(!showing),
          },
          h("span", { class: "side-item__glyph", "aria-hidden": "true" }, showing ? "☑" : "☐"),
          h("span", { class: "side-item__name" }, gettext("Show Unreads section")),
        ),
      ),
    );
  }
}
