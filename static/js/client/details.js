// The channel details pane: about (topic, purpose, leave, archive), members (invite, remove) and pins.

import { h, icon } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { avatar, presenceDot } from "./render/avatar.js";
import { messageRow } from "./render/message.js";

export class DetailsPane {
  constructor(app) {
    this.app = app;
    this.pane = document.getElementById("details-pane");
    this.tab = null;
  }

  close() {
    this.tab = null;
    this.pane.hidden = true;
    this.pane.replaceChildren();
    document.body.classList.remove("details-open");
  }

  async open(tab) {
    const { store } = this.app;
    if (this.app.thread.isOpen) this.app.thread.close();
    this.tab = tab;
    const channel = this.app.channelView.channel;
    const tabs = [
      ["about", gettext("About")],
      ["members", gettext("Members")],
      ["pins", gettext("Pins")],
    ];
    this.body = h("div", { class: "details__body" }, h("div", { class: "loading" }, gettext("Loading…")));
    this.pane.replaceChildren(
      h(
        "header",
        { class: "pane__header" },
        h(
          "h2",
          { class: "pane__title" },
          channel.is_im || channel.is_mpim ? store.channelTitle(channel) : `#${channel.name}`,
        ),
        h(
          "button",
          { type: "button", class: "header-btn", "aria-label": gettext("Close details"), onclick: () => this.close() },
          icon("close"),
        ),
      ),
      h(
        "nav",
        { class: "tabs", "aria-label": gettext("Channel details") },
        tabs.map(([key, label]) =>
          h(
            "button",
            {
              type: "button",
              class: `tab${key === tab ? " tab--current" : ""}`,
              "aria-pressed": String(key === tab),
              onclick: () => this.open(key),
            },
            label,
          ),
        ),
      ),
      this.body,
    );
    this.pane.hidden = false;
    document.body.classList.add("details-open");
    try {
      if (tab === "members") await this.members(channel);
      else if (tab === "pins") await this.pins(channel);
      else this.about(channel);
    } catch (error) {
      this.body.replaceChildren(h("p", { class: "error" }, error.message));
    }
  }

  about(channel) {
    const { app } = this;
    const direct = channel.is_im || channel.is_mpim;
    const field = (label, key, value) => {
      const input = h(
        "textarea",
        { class: "field__input", rows: "2", "aria-label": label, disabled: channel.is_archived || direct },
        value || "",
      );
      const save = h(
        "button",
        {
          type: "button",
          class: "btn btn--small",
          disabled: channel.is_archived || direct,
          onclick: async () => {
            await app.guard(
              app.api.patch(`channels/${channel.id}`, { [key]: input.value }),
              interpolate(gettext("%(field)s saved."), { field: label }),
            );
          },
        },
        gettext("Save"),
      );
      return h("div", { class: "detail-field" }, h("label", { class: "detail-field__label" }, label), input, save);
    };
    const actions = h("div", { class: "btn-row" });
    if (!direct && channel.is_member !== false && !channel.is_general) {
      actions.append(
        h(
          "button",
          { type: "button", class: "btn", onclick: () => app.leaveChannel(channel) },
          gettext("Leave channel"),
        ),
      );
    }
    if (!direct && !channel.is_general) {
      actions.append(
        h(
          "button",
          {
            type: "button",
            class: "btn btn--danger",
            onclick: () => app.archiveChannel(channel, !channel.is_archived),
          },
          channel.is_archived ? gettext("Unarchive channel") : gettext("Archive channel"),
        ),
      );
    }
    this.body.replaceChildren(
      direct ? null : field(gettext("Topic"), "topic", channel.topic?.value),
      direct ? null : field(gettext("Purpose"), "purpose", channel.purpose?.value),
      h(
        "p",
        { class: "muted small" },
        channel.is_private
          ? gettext("Private: only invited members can see it.")
          : direct
            ? gettext("A direct conversation.")
            : gettext("Public: anyone in the workspace can find and join it."),
      ),
      channel.is_member === false ? null : this.notifications(channel),
      actions,
    );
  }

  /** Mute, and what in this conversation notifies me: my own preferences, kept by the server for all my clients. */
  notifications(channel) {
    const { app } = this;
    const save = async (changes) => {
      const prefs = await app.guard(app.api.patch(`channels/${channel.id}/prefs`, changes));
      if (!prefs) return;
      app.store.setChannel({ id: channel.id, muted: prefs.muted, notify_level: prefs.notify_level });
      if (this.tab === "about") this.about(app.store.channels.get(channel.id) || channel);
    };
    const levels = [
      ["all", gettext("Every new message")],
      ["mentions", gettext("Mentions, DMs and threads")],
      ["nothing", gettext("Nothing")],
    ];
    const level = h(
      "select",
      {
        class: "field__input",
        id: "notify-level",
        "aria-label": gettext("Notify me about"),
        onchange: () => save({ notify_level: level.value }),
      },
      levels.map(([value, label]) =>
        h("option", { value, selected: (channel.notify_level || "mentions") === value }, label),
      ),
    );
    return h(
      "div",
      { class: "detail-field" },
      h("label", { class: "detail-field__label", for: "notify-level" }, gettext("Notify me about")),
      level,
      h(
        "button",
        {
          type: "button",
          class: "btn btn--small",
          id: "mute-toggle",
          "aria-pressed": String(Boolean(channel.muted)),
          onclick: () => save({ muted: !channel.muted }),
        },
        channel.muted ? gettext("Unmute") : gettext("Mute"),
      ),
      h(
        "p",
        { class: "muted small" },
        channel.muted
          ? gettext("Muted: dimmed in the sidebar, and only mentions of your name notify you.")
          : gettext("Mute to dim it in the sidebar and hear only mentions of your name."),
      ),
    );
  }

  async members(channel) {
    const { app } = this;
    const { store } = app;
    const members = await app.api.all(`channels/${channel.id}/members`, "members", { limit: 200 });
    store.setUsers(members);
    const direct = channel.is_im || channel.is_mpim;
    // Workspace admins and the channel's creator may remove people (chat.permissions); others are not offered it.
    const canRemove = ["owner", "admin"].includes(store.workspace.role) || channel.creator === store.me.id;
    const invite = direct
      ? null
      : h("form", {
          class: "invite",
          onsubmit: async (event) => {
            event.preventDefault();
            const ids = [...select.selectedOptions].map((o) => o.value);
            if (ids.length)
              await app.guard(
                app.api.post(`channels/${channel.id}/members`, { users: ids }),
                gettext("Added to the channel."),
              );
            this.open("members");
          },
        });
    const inChannel = new Set(members.map((m) => m.id));
    const select = h(
      "select",
      { multiple: true, class: "invite__select", "aria-label": gettext("People to add") },
      [...store.users.values()]
        .filter((u) => !u.deleted && !inChannel.has(u.id))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((u) => h("option", { value: u.id }, `${store.displayName(u.id)} (@${u.name})`)),
    );
    if (invite)
      invite.append(
        h("label", { class: "detail-field__label" }, gettext("Add people")),
        select,
        h("button", { type: "submit", class: "btn btn--primary btn--small" }, gettext("Add")),
      );
    const list = h(
      "ul",
      { class: "member-list" },
      members.map((user) =>
        h(
          "li",
          { class: "member" },
          h("span", { class: "member__avatar" }, avatar(user, "sm"), presenceDot(store.presenceOf(user.id))),
          h(
            "span",
            { class: "member__name" },
            store.displayName(user.id),
            user.id === store.me.id ? ` ${gettext("(you)")}` : "",
          ),
          !direct && user.id !== store.me.id && canRemove
            ? h(
                "button",
                {
                  type: "button",
                  class: "btn btn--small btn--ghost",
                  "aria-label": interpolate(gettext("Remove %(name)s"), { name: store.displayName(user.id) }),
                  onclick: async () => {
                    if (
                      await app.guard(
                        app.api.del(`channels/${channel.id}/members/${user.id}`),
                        gettext("Removed from the channel."),
                      )
                    )
                      this.open("members");
                  },
                },
                gettext("Remove"),
              )
            : null,
        ),
      ),
    );
    this.body.replaceChildren(
      h(
        "p",
        { class: "muted small" },
        interpolate(ngettext("%(count)s member", "%(count)s members", members.length), { count: members.length }),
      ),
      list,
      invite,
    );
  }

  async pins(channel) {
    const data = await this.app.api.get(`channels/${channel.id}/pins`);
    const items = data.messages || data.pins || data.items || [];
    this.body.replaceChildren(
      items.length
        ? h(
            "div",
            { class: "pin-list" },
            items.map((m) => {
              const message = m.message || m;
              return h(
                "div",
                { class: "pin", onclick: () => this.app.openChannel(channel.id, { ts: message.ts }) },
                messageRow(this.app, message, { inThread: true }),
              );
            }),
          )
        : h(
            "p",
            { class: "empty-state" },
            gettext("Nothing is pinned yet. Pin a message from its menu to keep it handy here."),
          ),
    );
  }
}
