// Applying the server's events (live, or replayed by a resume) to the store and the views.
// Every handler is idempotent: a replayed or duplicated event changes nothing the second time.

import { gettext, interpolate } from "./i18n.js";
import { seenByText } from "./read-receipts.js";
import { isTopLevel } from "./store.js";

const TYPING_SHOWN_MS = 5000;

function updateReaction(message, name, user, added) {
  const reactions = (message.reactions || []).map((r) => ({ ...r, users: [...r.users] }));
  let reaction = reactions.find((r) => r.name === name);
  if (added) {
    if (!reaction) {
      reaction = { name, users: [], count: 0 };
      reactions.push(reaction);
    }
    if (!reaction.users.includes(user)) reaction.users.push(user);
  } else if (reaction) reaction.users = reaction.users.filter((id) => id !== user);
  for (const r of reactions) r.count = r.users.length;
  return { ...message, reactions: reactions.filter((r) => r.count > 0) };
}

export class EventHandler {
  constructor(app) {
    this.app = app;
    this.typing = new Map(); // channel → Map(user → timer)
  }

  handle(event) {
    const handler =
      this[`on_${event.subtype ? `${event.type}_${event.subtype}` : event.type}`] || this[`on_${event.type}`];
    if (handler) handler.call(this, event);
  }

  /** A message changed locally: re-render wherever it shows. */
  touched(message) {
    this.app.channelView.onMessage(message);
    this.app.thread.onMessage(message);
  }

  on_message(event) {
    const { app } = this;
    const { store } = app;
    if (!store.channels.has(event.channel) && app.channelView.channelId !== event.channel) return;
    const message = { ...event };
    delete message.type;
    if (message.subtype === "tombstone") message.deleted = true;
    const gap = store.advance(event.channel, event.seq);
    const fresh = store.putMessage(message) === "new";
    if (gap) app.fillGap(event.channel);
    if (!fresh) {
      this.touched(message);
      return;
    }
    this.stopTyping(event.channel, event.user);
    this.touched(message);
    const known = store.channels.get(event.channel);
    if (known && !message.deleted && isTopLevel(message) && !(known.last_ts >= message.ts))
      store.setChannel({ id: known.id, last_ts: message.ts }); // the "most recent activity" sort
    if (message.deleted || message.user === store.me.id || !isTopLevel(message)) return;
    const channel = store.channels.get(event.channel);
    const viewing =
      app.view === "channel" &&
      store.current === event.channel &&
      document.visibilityState === "visible" &&
      app.channelView.atBottom();
    if (viewing) app.channelView.maybeMarkRead();
    else if (channel) {
      const direct = channel.is_im || channel.is_mpim;
      store.setChannel({
        id: channel.id,
        unread_count: (channel.unread_count || 0) + 1,
        mention_count: (channel.mention_count || 0) + (direct || store.mentionsMe(message) ? 1 : 0),
        last_seq: Math.max(channel.last_seq || 0, event.seq),
      });
    }
    if (store.current === event.channel) app.announce(`${store.displayName(message.user)}: ${app.plain(message.text)}`);
  }

  on_sidebar_changed(event) {
    this.app.sections.apply(event);
  }

  on_thread_state_changed(event) {
    if (event.workspace !== this.app.store.workspace.id) return;
    this.app.threads.apply(event);
  }

  on_saved_item_changed(event) {
    this.app.saved.apply(event);
  }

  on_view_opened(event) {
    this.app.appViews.onEvent(event);
  }

  on_view_pushed(event) {
    this.app.appViews.onEvent(event);
  }

  on_view_updated(event) {
    this.app.appViews.onEvent(event);
  }

  on_views_cleared(event) {
    this.app.appViews.onEvent(event);
  }

  on_app_home_updated(event) {
    this.app.appViews.onEvent(event);
  }

  on_ephemeral_message(event) {
    const message = { ...event.message, channel: event.channel, ephemeral: true };
    if (message.deleted) {
      // The app took its answer back (a command's response_url with delete_original).
      this.app.store.dismissEphemeral(message);
      this.touched(message);
      return;
    }
    this.app.store.putEphemeral(message); // an answer with the same ts replaces the one shown
    this.touched(message);
    if (this.app.store.current === event.channel)
      this.app.announce(interpolate(gettext("Only visible to you: %(text)s"), { text: this.app.plain(message.text) }));
  }

  on_message_message_changed(event) {
    const message = event.message;
    const known = this.app.store.log(message.channel).byTs.get(message.ts);
    const merged = { ...known, ...message, pinned: known?.pinned };
    // The event carries the whole message: blocks or attachments it no longer has (an edit that dropped
    // them, a removed link preview) must not linger from the copy we knew.
    for (const key of ["blocks", "attachments"]) if (!(key in message)) delete merged[key];
    this.app.store.putMessage(merged, { replace: true });
    this.touched(message);
  }

  on_message_message_deleted(event) {
    const log = this.app.store.log(event.channel);
    const known = log.byTs.get(event.deleted_ts);
    if (!known) return;
    this.app.store.putMessage({ ...known, deleted: true, text: "", files: [], reactions: [] }, { replace: true });
    this.touched(known);
  }

  reaction(event, added) {
    const log = this.app.store.log(event.item.channel);
    const known = log.byTs.get(event.item.ts);
    if (!known) return;
    const updated = updateReaction(known, event.reaction, event.user, added);
    this.app.store.putMessage(updated, { replace: true });
    this.touched(updated);
  }

  on_reaction_added(event) {
    this.reaction(event, true);
  }
  on_reaction_removed(event) {
    this.reaction(event, false);
  }

  pin(event, pinned) {
    const message = event.item?.message;
    if (!message) return;
    const known = this.app.store.log(message.channel).byTs.get(message.ts) || message;
    this.app.store.putMessage({ ...known, pinned }, { replace: true });
    this.touched(known);
  }

  on_pin_added(event) {
    this.pin(event, true);
  }
  on_pin_removed(event) {
    this.pin(event, false);
  }

  on_user_typing(event) {
    const { store } = this.app;
    if (event.user === store.me.id) return;
    const users = this.typing.get(event.channel) || new Map();
    this.typing.set(event.channel, users);
    clearTimeout(users.get(event.user));
    users.set(
      event.user,
      setTimeout(() => this.stopTyping(event.channel, event.user), TYPING_SHOWN_MS),
    );
    this.app.renderTyping();
  }

  stopTyping(channel, user) {
    const users = this.typing.get(channel);
    if (!users?.has(user)) return;
    clearTimeout(users.get(user));
    users.delete(user);
    this.app.renderTyping();
  }

  typers(channel) {
    return [...(this.typing.get(channel)?.keys() || [])];
  }

  on_presence_change(event) {
    const { store } = this.app;
    for (const user of event.users || [event.user]) store.presence.set(user, event.presence);
    store.emit("presence");
  }

  /** The presence of the people the page follows, as a presence_sub answered it: {user id: presence}. */
  presenceNow(states) {
    const { store } = this.app;
    for (const [user, presence] of Object.entries(states)) store.presence.set(user, presence);
    store.emit("presence");
  }

  on_channel_marked(event) {
    const { store } = this.app;
    const channel = store.channels.get(event.channel);
    if (!channel) return;
    const caughtUp = event.unread_count_display === 0;
    store.setChannel({
      id: channel.id,
      last_read_seq: event.seq,
      unread_count: event.unread_count_display,
      mention_count: caughtUp ? 0 : channel.mention_count,
    });
  }

  on_read_receipts_changed(event) {
    const { app } = this;
    const before = app.store.receipts.get(event.channel);
    app.store.receipts.set(event.channel, { seq: event.seq, seen_by: event.seen_by });
    if (app.channelView.channelId !== event.channel) return;
    app.channelView.scheduleRender();
    const others = event.seen_by.filter((id) => id !== app.store.me.id);
    const fresh = others.filter((id) => before?.seq !== event.seq || !before.seen_by.includes(id));
    if (fresh.length) app.announce(seenByText(fresh.map((id) => app.store.displayName(id))));
  }

  /** A workspace setting changed (Slack's team_pref_change); read receipts show or go at once. */
  on_team_pref_change(event) {
    if (event.name !== "read_receipts") return;
    const { app } = this;
    app.store.workspace.read_receipts = event.value;
    app.store.receipts.clear();
    if (!app.channelView.channelId) return;
    if (event.value) app.channelView.loadReceipts();
    app.channelView.scheduleRender();
  }

  on_channel_prefs_changed(event) {
    this.channelChanged(event.channel, { muted: event.muted, notify_level: event.notify_level });
    const { app } = this;
    if (app.details.tab === "about" && app.store.current === event.channel) app.details.open("about");
  }

  channelJoined(wire) {
    const { app } = this;
    app.store.setChannel({ unread_count: 0, mention_count: 0, ...wire, is_member: true });
    if (app.channelView.channelId === wire.id) {
      // Shown before the socket was in it (a preview, or a join whose answer outran this news): say it is
      // shown now that it can be, then read its newest page, so no reaction falls between.
      app.socket
        .setView(wire.id)
        .then(() => app.channelView.refreshNewest(wire.id))
        .catch(() => {});
    }
  }

  on_channel_joined(event) {
    this.channelJoined(event.channel);
  }
  on_im_created(event) {
    this.channelJoined(event.channel);
  }

  on_channel_left(event) {
    const { app } = this;
    const id = typeof event.channel === "string" ? event.channel : event.channel.id;
    app.store.removeChannel(id);
    if (app.store.current === id) app.openDefault();
  }

  channelChanged(id, changes) {
    const { app } = this;
    if (!app.store.channels.has(id)) return;
    app.store.setChannel({ id, ...changes });
    if (app.store.current === id) app.channelView.renderHeader();
  }

  on_channel_rename(event) {
    this.channelChanged(event.channel.id, { name: event.channel.name });
  }
  on_channel_archive(event) {
    this.channelChanged(event.channel, { is_archived: true });
  }
  on_channel_unarchive(event) {
    this.channelChanged(event.channel, { is_archived: false });
  }
  on_channel_topic(event) {
    this.channelChanged(event.channel, { topic: { value: event.topic ?? "" } });
  }
  on_channel_purpose(event) {
    this.channelChanged(event.channel, { purpose: { value: event.purpose ?? "" } });
  }

  on_member_joined_channel(event) {
    if (this.app.store.current === event.channel) this.app.channelView.loadMemberCount();
  }

  on_member_left_channel(event) {
    this.on_member_joined_channel(event);
  }

  /** Someone should hear of a message (a mention, a DM…): a desktop notification when this tab is hidden. */
  on_notification(event) {
    const { app } = this;
    if (event.workspace && event.workspace !== app.store.workspace.id) return;
    if (document.visibilityState === "visible" || !("Notification" in window) || Notification.permission !== "granted")
      return;
    const channel = app.store.channels.get(event.channel);
    const who = app.store.displayName(event.user);
    const place = channel?.is_mpim ? app.store.channelTitle(channel) : `#${channel?.name}`;
    const title = channel && !channel.is_im ? interpolate(gettext("%(who)s in %(where)s"), { who, where: place }) : who;
    const note = new Notification(title, {
      body: app.plain(event.text || ""),
      tag: `${event.channel}:${event.ts}`,
      silent: !event.alert,
    });
    note.onclick = () => {
      window.focus();
      app.openChannel(event.channel, { ts: event.ts });
    };
  }

  on_emoji_changed(event) {
    this.app.customEmoji.onChanged(event);
  }

  on_team_join(event) {
    this.app.store.setUsers([event.user]);
  }
  on_subteam_created(event) {
    this.app.store.setUsergroups([event.subteam]);
  }
  on_subteam_updated(event) {
    this.app.store.setUsergroups([event.subteam]);
  }
  on_subteam_members_changed(event) {
    this.app.store.changeUsergroupMembers(event.subteam_id, event.added_users, event.removed_users);
  }
  on_user_change(event) {
    this.app.store.setUsers([event.user]);
    if (event.user.id === this.app.store.me.id) this.app.store.me = event.user;
  }
}
