// Modal dialogs (channel browser, new channel, new DM, profile card) and the message menu.
// Dialogs use <dialog> so focus is trapped and Escape closes them without our own code.

import { expandedWhileOpen, h, icon, refocus, successorOf } from "./dom.js";
import { fill, gettext } from "./i18n.js";
import { avatar, presenceDot } from "./render/avatar.js";

export function modal(title, ...content) {
  const opener = document.activeElement;
  const dialog = h(
    "dialog",
    { class: "modal", "aria-label": title },
    h(
      "header",
      { class: "modal__header" },
      h("h2", { class: "modal__title" }, title),
      h(
        "button",
        { type: "button", class: "header-btn", "aria-label": gettext("Close"), onclick: () => dialog.close() },
        icon("close"),
      ),
    ),
    h("div", { class: "modal__body" }, ...content),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    refocus(opener); // the browser gives it back itself unless a redraw replaced the opener
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** One entry of a role=menu list: a button that runs `onSelect`, with an optional hint after its label. */
export function menuItem(label, onSelect, { danger = false, hint = null } = {}) {
  return h(
    "li",
    { role: "none" },
    h(
      "button",
      {
        type: "button",
        role: "menuitem",
        class: `menu__item${danger ? " menu__item--danger" : ""}`,
        onclick: onSelect,
      },
      hint === null ? label : [h("span", { class: "menu__label" }, label), h("span", { class: "menu__hint" }, hint)],
    ),
  );
}

export class Dialogs {
  constructor(app) {
    this.app = app;
  }

  async browseChannels() {
    const { app } = this;
    const filter = h("input", {
      type: "search",
      class: "field__input",
      placeholder: gettext("Search by channel name"),
      "aria-label": gettext("Search channels"),
    });
    const list = h(
      "ul",
      { class: "browse-list", "aria-live": "polite" },
      h("li", { class: "loading" }, gettext("Loading…")),
    );
    const dialog = modal(
      gettext("Browse channels"),
      filter,
      list,
      h(
        "div",
        { class: "btn-row" },
        h(
          "button",
          {
            type: "button",
            class: "btn",
            onclick: () => {
              dialog.close();
              this.createChannel();
            },
          },
          gettext("Create a channel"),
        ),
      ),
    );
    let channels = [];
    try {
      channels = await app.api.all(`workspaces/${app.store.workspace.id}/channels/browse`, "channels", { limit: 200 });
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
      return;
    }
    const fill = () => {
      const needle = filter.value.trim().toLowerCase().replace(/^#/, "");
      const shown = channels.filter((c) => c.name.includes(needle));
      list.replaceChildren(
        ...shown.map((c) =>
          h(
            "li",
            { class: "browse-item" },
            h(
              "button",
              {
                type: "button",
                class: "browse-item__main",
                onclick: () => {
                  dialog.close();
                  app.openChannel(c.id);
                },
              },
              h("span", { class: "browse-item__name" }, `# ${c.name}`),
              h(
                "span",
                { class: "browse-item__meta" },
                [c.is_member ? gettext("Joined") : null, c.purpose?.value || c.topic?.value]
                  .filter(Boolean)
                  .join(" · "),
              ),
            ),
            c.is_member
              ? null
              : h(
                  "button",
                  {
                    type: "button",
                    class: "btn btn--small btn--primary",
                    onclick: async () => {
                      if (await app.joinChannel(c.id)) dialog.close();
                    },
                  },
                  gettext("Join"),
                ),
          ),
        ),
      );
      if (!shown.length) list.append(h("li", { class: "empty-state" }, gettext("No channel matches.")));
    };
    filter.addEventListener("input", fill);
    fill();
    filter.focus();
  }

  createChannel() {
    const { app } = this;
    const name = h("input", {
      class: "field__input",
      name: "name",
      required: true,
      maxlength: "80",
      placeholder: gettext("e.g. plan-budget"),
      pattern: "[a-z0-9][a-z0-9_\\-]*",
      autocomplete: "off",
      id: "new-channel-name",
    });
    const purpose = h("input", { class: "field__input", name: "purpose", maxlength: "250", id: "new-channel-purpose" });
    const privateBox = h("input", { type: "checkbox", name: "private", id: "new-channel-private" });
    const error = h("p", { class: "error", role: "alert" });
    name.addEventListener("input", () => {
      name.value = name.value.toLowerCase().replace(/\s+/g, "-");
    });
    const form = h(
      "form",
      {
        class: "form",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const data = await app.api.post(`workspaces/${app.store.workspace.id}/channels`, {
              name: name.value,
              is_private: privateBox.checked,
              purpose: purpose.value,
            });
            app.store.setChannel({ ...data.channel, is_member: true, unread_count: 0, mention_count: 0 });
            dialog.close();
            app.openChannel(data.channel.id);
          } catch (err) {
            error.textContent = err.message;
          }
        },
      },
      h("div", { class: "field" }, h("label", { for: "new-channel-name" }, gettext("Name")), name),
      h(
        "div",
        { class: "field" },
        h(
          "label",
          { for: "new-channel-purpose" },
          fill(gettext("Purpose %(optional)s"), { optional: h("span", { class: "optional" }, gettext("(optional)")) }),
        ),
        purpose,
      ),
      h(
        "label",
        { class: "check", for: "new-channel-private" },
        privateBox,
        ` ${gettext("Make private: only people you invite can see it")}`,
      ),
      error,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "submit", class: "btn btn--primary" }, gettext("Create")),
      ),
    );
    const dialog = modal(gettext("Create a channel"), form);
    name.focus();
  }

  newDm() {
    const { app } = this;
    const { store } = app;
    const chosen = new Set();
    const filter = h("input", {
      type: "search",
      class: "field__input",
      placeholder: gettext("Find people"),
      "aria-label": gettext("Find people"),
    });
    const list = h("ul", { class: "browse-list" });
    const start = h(
      "button",
      {
        type: "button",
        class: "btn btn--primary",
        disabled: true,
        onclick: async () => {
          const data = await app.guard(app.api.post(`workspaces/${store.workspace.id}/dms`, { users: [...chosen] }));
          if (!data) return;
          store.setChannel({ is_member: true, unread_count: 0, mention_count: 0, ...data.channel });
          dialog.close();
          app.openChannel(data.channel.id);
        },
      },
      gettext("Open conversation"),
    );
    const fill = () => {
      const needle = filter.value.trim().toLowerCase();
      const people = [...store.users.values()].filter(
        (u) =>
          !u.deleted &&
          u.id !== store.me.id &&
          (u.name.includes(needle) || store.displayName(u.id).toLowerCase().includes(needle)),
      );
      list.replaceChildren(
        ...people.map((u) =>
          h(
            "li",
            { class: "browse-item" },
            h(
              "label",
              { class: "person-pick" },
              h("input", {
                type: "checkbox",
                checked: chosen.has(u.id),
                onchange: (event) => {
                  if (event.target.checked) chosen.add(u.id);
                  else chosen.delete(u.id);
                  start.disabled = chosen.size === 0 || chosen.size > 8;
                },
              }),
              h("span", { class: "member__avatar" }, avatar(u, "sm"), presenceDot(store.presenceOf(u.id))),
              h("span", {}, store.displayName(u.id)),
              h("span", { class: "muted" }, ` @${u.name}`),
            ),
          ),
        ),
      );
    };
    filter.addEventListener("input", fill);
    fill();
    const dialog = modal(gettext("New message"), filter, list, h("div", { class: "btn-row" }, start));
    filter.focus();
  }

  profile(userId) {
    const { store } = this.app;
    const user = store.user(userId);
    const status = user.profile?.status_text || user.profile?.status_emoji;
    const dialog = modal(
      store.displayName(userId),
      h(
        "div",
        { class: "profile-card" },
        avatar(user, "xl"),
        h(
          "div",
          {},
          h(
            "p",
            { class: "profile-card__name" },
            user.real_name || user.name,
            " ",
            presenceDot(store.presenceOf(userId)),
          ),
          user.profile?.title ? h("p", { class: "muted" }, user.profile.title) : null,
          status ? h("p", {}, `${user.profile.status_emoji || ""} ${user.profile.status_text || ""}`) : null,
          h("p", { class: "muted small" }, `@${user.name} · ${user.tz || gettext("UTC")}`),
        ),
      ),
      userId === store.me.id
        ? null
        : h(
            "div",
            { class: "btn-row" },
            h(
              "button",
              {
                type: "button",
                class: "btn btn--primary",
                onclick: async () => {
                  const data = await this.app.guard(
                    this.app.api.post(`workspaces/${store.workspace.id}/dms`, { users: [userId] }),
                  );
                  if (!data) return;
                  store.setChannel({ is_member: true, unread_count: 0, mention_count: 0, ...data.channel });
                  dialog.close();
                  this.app.openChannel(data.channel.id);
                },
              },
              gettext("Message"),
            ),
          ),
    );
  }

  /** The "more" menu of a message: reply, copy link, mark unread, remind me, pin, edit, delete. */
  messageMenu(message, anchor, mine) {
    document.getElementById("message-menu")?.remove();
    const { app } = this;
    const item = (label, action, danger = false) =>
      menuItem(
        label,
        () => {
          menu.remove();
          anchor.focus(); // the keyboard's place, unless the action moves it on (a thread, a dialog)
          action();
        },
        { danger },
      );
    const follow = this.followThreadItem(message, item);
    const menu = h(
      "ul",
      { class: "menu", role: "menu", id: "message-menu", "aria-label": gettext("Message actions") },
      item(gettext("Reply in thread"), () => app.actions.openThread(message)),
      follow.item,
      item(app.saved.isSaved(message) ? gettext("Remove from saved items") : gettext("Save for later"), () =>
        app.saved.toggle(message),
      ),
      item(gettext("Forward message"), () => this.forward(message)),
      item(gettext("Copy link"), () => app.actions.copyLink(message)),
      message.thread_ts && message.thread_ts !== message.ts
        ? null
        : item(gettext("Mark unread"), () => app.actions.markUnread(message)),
      item(gettext("Remind me in 20 minutes"), () =>
        app.actions.remind(message, "in 20 minutes", gettext("I will remind you in 20 minutes.")),
      ),
      item(gettext("Remind me in 1 hour"), () =>
        app.actions.remind(message, "in 1 hour", gettext("I will remind you in an hour.")),
      ),
      item(gettext("Remind me tomorrow"), () =>
        app.actions.remind(message, "at 9:00 tomorrow", gettext("I will remind you tomorrow at 9:00.")),
      ),
      item(message.pinned ? gettext("Unpin from channel") : gettext("Pin to channel"), () => app.actions.pin(message)),
      mine && app.actions.editable(message) ? item(gettext("Edit message"), () => app.actions.edit(message)) : null,
      mine || ["owner", "admin"].includes(app.store.workspace.role)
        ? item(gettext("Delete message"), () => app.actions.remove(message), true)
        : null,
    );
    expandedWhileOpen(anchor, menu);
    this.placeMenu(menu, anchor);
    follow.load();
    app.appViews.messageShortcutItems(message, item).then((items) => {
      if (items.length && menu.isConnected) menu.append(h("li", { role: "separator", class: "menu__sep" }), ...items);
    });
  }

  /**
   * The message menu's "Follow thread" or "Unfollow thread": in its place from the start, so the items under it
   * never move while someone walks the menu with the arrow keys; it acts once the server has said which it is.
   */
  followThreadItem(message, item) {
    const { app } = this;
    const rootTs = message.thread_ts || message.ts;
    let following = null;
    const followItem = item(gettext("Follow thread"), () => {
      if (following !== null) app.threads.setFollowing(message.channel, rootTs, !following);
    });
    const button = followItem.querySelector("button");
    button.setAttribute("aria-disabled", "true");
    const load = () =>
      app.threads.following(message.channel, rootTs).then((known) => {
        if (known === null) return;
        following = known;
        button.textContent = known ? gettext("Unfollow thread") : gettext("Follow thread");
        button.removeAttribute("aria-disabled");
      });
    return { item: followItem, load };
  }

  /** Forward a message, with a comment, to a conversation I am in (Slack's "Forward message"). */
  forward(message) {
    const { app } = this;
    const targets = [...app.store.channels.values()]
      .filter((channel) => channel.is_member !== false && !channel.is_archived)
      .sort((a, b) => app.store.channelTitle(a).localeCompare(app.store.channelTitle(b)));
    const select = h(
      "select",
      { class: "field__input", "aria-label": gettext("Forward to") },
      targets.map((channel) =>
        h("option", { value: channel.id }, channel.name ? `#${channel.name}` : app.store.channelTitle(channel)),
      ),
    );
    const comment = h("textarea", {
      class: "field__input",
      rows: 3,
      "aria-label": gettext("Add a message, if you like"),
    });
    const send = async () => {
      const data = await app.guard(
        app.api.post(`channels/${message.channel}/messages/${message.ts}/forward`, {
          channel: select.value,
          comment: app.encode(comment.value),
        }),
        gettext("Message forwarded."),
      );
      if (data) dialog.close();
    };
    const dialog = modal(
      gettext("Forward this message"),
      h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Forward to")), select),
      h(
        "label",
        { class: "field" },
        h("span", { class: "field__label" }, gettext("Add a message, if you like")),
        comment,
      ),
      h(
        "div",
        { class: "btn-row" },
        h("button", { type: "button", class: "btn btn--primary", onclick: send }, gettext("Forward")),
      ),
    );
    select.focus();
  }

  /** Show a menu of buttons under `anchor`: arrow keys move, Escape or a click elsewhere closes it. */
  placeMenu(menu, anchor) {
    document.body.append(menu);
    const box = anchor.getBoundingClientRect();
    menu.style.top = `${Math.min(box.bottom + 4, innerHeight - menu.offsetHeight - 8)}px`;
    menu.style.left = `${Math.max(8, box.right - menu.offsetWidth)}px`;
    menu.querySelector("button")?.focus();
    menu.addEventListener("keydown", (event) => {
      const items = [...menu.querySelectorAll("button")];
      const index = items.indexOf(document.activeElement);
      if (event.key === "Escape") {
        event.preventDefault();
        menu.remove();
        successorOf(anchor)?.focus(); // a sidebar redraw may have replaced it while the menu was open
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        items[(index + 1) % items.length].focus();
      }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        items[(index + items.length - 1) % items.length].focus();
      }
    });
    setTimeout(
      () =>
        document.addEventListener("pointerdown", function away(event) {
          if (!menu.contains(event.target)) {
            menu.remove();
            document.removeEventListener("pointerdown", away);
          }
        }),
      0,
    );
  }
}
