// What can be done to a message: react, reply in a thread, edit (in place), delete, pin, copy its
// link, retry a failed send. Changes are confirmed by the server's events, so both tabs and
// everyone else see the same thing.

import { h } from "./dom.js";
import { gettext } from "./i18n.js";

export class MessageActions {
  constructor(app) {
    this.app = app;
  }

  path(message) {
    return `channels/${message.channel}/messages/${message.ts}`;
  }

  async toggleReaction(message, name, onlyAdd = false) {
    const { app } = this;
    const mine = message.reactions?.find((r) => r.name === name)?.users.includes(app.store.me.id);
    if (mine && onlyAdd) return;
    // Shown at once; the server's event (or its refusal) settles it.
    app.events.reaction(
      { item: { channel: message.channel, ts: message.ts }, reaction: name, user: app.store.me.id },
      !mine,
    );
    const request = mine
      ? app.api.del(`${this.path(message)}/reactions/${encodeURIComponent(name)}`)
      : app.api.post(`${this.path(message)}/reactions`, { name });
    try {
      const data = await request;
      if (data.message) app.store.putMessage({ ...data.message, pinned: message.pinned }, { replace: true });
      app.events.touched(message);
    } catch (error) {
      app.events.reaction(
        { item: { channel: message.channel, ts: message.ts }, reaction: name, user: app.store.me.id },
        mine,
      );
      if (error.code !== "already_reacted" && error.code !== "no_reaction") app.toast(error.message);
    }
  }

  /** Remove a link's preview (or an app's unfurl) from your own message; the message_changed event confirms it. */
  async removeUnfurl(message, url) {
    try {
      const data = await this.app.api.del(`${this.path(message)}/unfurls?url=${encodeURIComponent(url)}`);
      if (data.message) this.app.store.putMessage({ ...data.message, pinned: message.pinned }, { replace: true });
      this.app.events.touched(message);
    } catch (error) {
      this.app.toast(error.message);
    }
  }

  pickReaction(message, anchor) {
    this.app.emojiPicker(anchor, (name) => this.toggleReaction(message, name, true));
  }

  /** A click or a choice in an app's message: the server sends it to the app and answers once it acked. */
  async blockAction(message, action, state) {
    const container = {
      type: "message",
      channel: message.channel,
      message_ts: message.ts,
      is_ephemeral: Boolean(message.ephemeral || message.is_ephemeral),
      bot_id: message.bot_id || "",
    };
    await this.app.api.post("interactions/block-actions", { container, action, state });
  }

  /** An app's message made of blocks is the app's to change (chat.update); the composer edits text only. */
  editable(message) {
    return !(message.bot_id && message.blocks?.length);
  }

  openThread(message) {
    this.app.thread.open(message.channel, message.thread_ts || message.ts);
  }

  openMenu(message, anchor, mine) {
    this.app.dialogs.messageMenu(message, anchor, mine);
  }

  /** A person's name shows their profile; an app's bot's name opens the app's page (its Home tab). */
  async openProfile(userId) {
    if (this.app.store.user(userId).is_bot) {
      const app = await this.app.api.get("apps/home", { bot: userId }).catch(() => null);
      if (app) return this.app.appViews.openAppHome(userId);
    }
    this.app.dialogs.profile(userId);
  }

  copyLink(message) {
    const url = new URL(`${this.app.channelUrl(message.channel)}p${message.ts.replace(".", "")}`, location.origin);
    if (message.thread_ts && message.thread_ts !== message.ts)
      url.search = `?thread_ts=${message.thread_ts}&cid=${message.channel}`;
    navigator.clipboard?.writeText(url.href).then(
      () => this.app.toast(gettext("Link copied."), "success"),
      () => this.app.toast(url.href, "success"),
    );
  }

  /** Slack's "Mark unread": this message and everything after it count as unread again. The open
   * channel then stays unread until it is left, instead of being read again at once. */
  async markUnread(message) {
    const { app } = this;
    if (!message.seq) return;
    app.unsentMarks.delete(message.channel);
    const data = await app.guard(app.api.post(`channels/${message.channel}/read`, { seq: message.seq - 1 }));
    if (!data) return;
    app.store.setChannel({ id: message.channel, last_read_seq: data.last_read_seq, unread_count: data.unread_count });
    if (app.channelView.channelId === message.channel) app.channelView.keepUnread(message.seq);
  }

  /** A reminder about this message, by a DM from Slackbot (the reminders API reads `when` in my time zone). */
  async remind(message, when, confirmation) {
    const { app } = this;
    const body = { channel: message.channel, ts: message.ts, when };
    await app.guard(app.api.post(`workspaces/${app.store.workspace.id}/reminders`, body), confirmation);
  }

  async pin(message) {
    const { app } = this;
    const pinned = Boolean(message.pinned);
    const request = pinned ? app.api.del(`${this.path(message)}/pin`) : app.api.post(`${this.path(message)}/pin`);
    if (await app.guard(request, pinned ? gettext("Unpinned.") : gettext("Pinned to the channel."))) {
      app.store.putMessage(
        { ...app.store.log(message.channel).byTs.get(message.ts), pinned: !pinned },
        { replace: true },
      );
      app.events.touched(message);
    }
  }

  async remove(message) {
    if (!confirm(gettext("Delete this message? This cannot be undone."))) return;
    await this.app.guard(this.app.api.del(this.path(message)), gettext("Message deleted."));
  }

  retry(message) {
    const { app } = this;
    app.store.log(message.channel).pending.delete(message.client_msg_id);
    app.post({
      channel: message.channel,
      text: message.text,
      thread_ts: message.thread_ts || null,
      reply_broadcast: message.reply_broadcast,
      client_msg_id: message.client_msg_id,
    });
  }

  discard(message) {
    this.app.store.log(message.channel).pending.delete(message.client_msg_id);
    this.app.events.touched(message);
  }

  /** Dismiss a message only we could see: it was never stored, so it is simply gone. */
  dismissEphemeral(message) {
    this.app.store.dismissEphemeral(message);
    this.app.events.touched(message);
    (message.thread_ts && this.app.thread.isOpen ? this.app.thread.composer : this.app.composer).focus(); // its row is gone
  }

  /**
   * Edit in place: the message's text becomes a box (kept across re-renders, see messageRow);
   * Enter saves, Escape cancels.
   */
  edit(message) {
    const { app } = this;
    if (!this.editable(message)) return;
    const box = h(
      "textarea",
      { class: "edit__input", "aria-label": gettext("Edit message"), rows: "2" },
      app.decode(message.text),
    );
    const done = () => {
      this.editor = null;
      app.events.touched(message);
    };
    const save = async () => {
      const value = box.value.trim();
      if (!value) return this.remove(message);
      if (value === app.decode(message.text)) return done();
      // What the composer edits is the text: blocks a message had are dropped, as Slack's own clients do.
      const body = { text: app.encode(value), ...(message.blocks?.length ? { blocks: [] } : {}) };
      const data = await app.guard(app.api.patch(this.path(message), body));
      if (data?.message) app.store.putMessage({ ...data.message, pinned: message.pinned }, { replace: true });
      return done();
    };
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        save();
      }
      if (event.key === "Escape") {
        event.preventDefault();
        done();
      }
    });
    const node = h(
      "div",
      { class: "edit" },
      box,
      h(
        "div",
        { class: "edit__actions" },
        h("button", { type: "button", class: "btn btn--small", onclick: done }, gettext("Cancel")),
        h("button", { type: "button", class: "btn btn--small btn--primary", onclick: save }, gettext("Save")),
        h("span", { class: "muted small" }, gettext("Escape to cancel, Enter to save")),
      ),
    );
    this.editor = { ts: message.ts, node };
    app.channelView.render();
    app.thread.render();
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
}
