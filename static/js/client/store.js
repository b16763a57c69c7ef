// The client's state: people, channels, and per channel the messages it holds, keyed by seq and ts.
// Every write path here is idempotent, so a message heard twice (socket, resume replay, HTTP) is stored
// once: new messages by (channel, seq), our own pending ones by client_msg_id, changes by ts.

import { gettext } from "./i18n.js";

export class ChannelLog {
  constructor() {
    this.byTs = new Map(); // ts → message (replies included)
    this.pending = new Map(); // client_msg_id → pending message (not yet confirmed by the server)
    this.ephemeral = new Map(); // ts → a message for our eyes only (never stored: gone on reload)
    this.applied = 0; // highest seq up to which nothing is missing (the resume point)
    this.hasOlder = true;
    this.loaded = false; // has the newest page been fetched?
    this.watchers = new Set(); // sets that collect the ts of every message stored (while a page is read)
  }

  /** Messages to show in the channel: top level and broadcast replies, oldest first, pending last. */
  timeline() {
    const list = [...this.byTs.values()].filter(isTopLevel).sort(bySeq);
    const ephemeral = [...this.ephemeral.values()].filter((m) => !m.thread_ts);
    return withEphemeral(list, ephemeral).concat([...this.pending.values()].filter((m) => !m.thread_ts));
  }

  thread(rootTs) {
    const replies = [...this.byTs.values()].filter((m) => m.thread_ts === rootTs && m.ts !== rootTs).sort(bySeq);
    const ephemeral = [...this.ephemeral.values()].filter((m) => m.thread_ts === rootTs);
    return withEphemeral(replies, ephemeral).concat([...this.pending.values()].filter((m) => m.thread_ts === rootTs));
  }

  /**
   * Forget the messages before `seq` (older pages, their replies): the next scroll up reads them afresh.
   * The thread of `keepRoot` stays whole.
   */
  dropBefore(seq, keepRoot = null) {
    for (const [ts, message] of this.byTs) {
      if (message.seq >= seq || (keepRoot && (ts === keepRoot || message.thread_ts === keepRoot))) continue;
      this.byTs.delete(ts);
    }
  }

  oldestSeq() {
    let oldest = null;
    for (const m of this.byTs.values()) if (isTopLevel(m) && (oldest === null || m.seq < oldest)) oldest = m.seq;
    return oldest;
  }
}

export function isTopLevel(message) {
  return !message.thread_ts || message.thread_ts === message.ts || message.subtype === "thread_broadcast";
}

function bySeq(a, b) {
  return a.seq - b.seq;
}

/** Stored messages (in seq order, which is ts order) with ephemeral ones placed by their ts. */
function withEphemeral(stored, ephemeral) {
  if (!ephemeral.length) return stored;
  const byTs = (a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);
  return [...stored, ...ephemeral].sort(byTs);
}

export const PRESENCE_FOLLOW_MAX = 500; // the server's limit on a presence_sub (realtime/frames.py)

export class Store extends EventTarget {
  constructor(boot) {
    super();
    this.me = boot.self;
    this.workspace = boot.workspace;
    this.users = new Map([[boot.self.id, boot.self]]);
    this.usergroups = new Map(); // id → Slack's usergroup object (enabled ones: a disabled group is removed)
    this.presence = new Map();
    // The people the page has shown a presence dot for, most recent last: the ones it follows (presence_sub).
    this.presenceShown = new Map();
    this.presenceFollowed = new Set(); // the ones the server was last told
    this.channels = new Map();
    this.logs = new Map();
    this.receipts = new Map(); // DM id → { seq, seen_by }: who has seen its last message (read receipts)
    this.current = null; // the open channel's id
  }

  /**
   * The presence of someone the page shows. Showing someone follows their presence: a new one emits
   * "presence-wanted", and main.js tells the server (socket.js, followPresence). At most
   * PRESENCE_FOLLOW_MAX people, the most recently shown.
   */
  presenceOf(userId) {
    this.presenceShown.delete(userId);
    this.presenceShown.set(userId, true);
    if (this.presenceShown.size > PRESENCE_FOLLOW_MAX)
      this.presenceShown.delete(this.presenceShown.keys().next().value);
    if (!this.presenceFollowed.has(userId)) this.emit("presence-wanted");
    return this.presence.get(userId);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  log(channelId) {
    if (!this.logs.has(channelId)) this.logs.set(channelId, new ChannelLog());
    return this.logs.get(channelId);
  }

  setUsers(users) {
    for (const user of users) this.users.set(user.id, user);
    this.emit("users");
  }

  /** Store user groups as the server sends them; a disabled one leaves (it mentions nobody). */
  setUsergroups(groups) {
    for (const group of groups) {
      if (group.date_delete) this.usergroups.delete(group.id);
      else this.usergroups.set(group.id, { ...this.usergroups.get(group.id), ...group });
    }
    this.emit("usergroups");
  }

  /** subteam_members_changed: who joined and left a group. */
  changeUsergroupMembers(groupId, added, removed) {
    const group = this.usergroups.get(groupId);
    if (!group) return;
    const users = new Set(group.users || []);
    for (const id of added) users.add(id);
    for (const id of removed) users.delete(id);
    this.usergroups.set(groupId, { ...group, users: [...users], user_count: users.size });
  }

  setChannel(channel) {
    const known = this.channels.get(channel.id) || {};
    const merged = { ...known, ...channel };
    this.channels.set(channel.id, merged);
    const log = this.log(channel.id);
    // A channel first heard of: everything up to its last seq is accounted for by the unread counts.
    if (!known.id && !log.applied) log.applied = channel.last_seq || 0;
    this.emit("channels");
    return merged;
  }

  removeChannel(channelId) {
    this.channels.delete(channelId);
    this.emit("channels");
  }

  /**
   * Store a message (from history, the socket, a resume or our own post). A new message already
   * held is a duplicate; `replace` (message_changed, a fresh HTTP copy) takes the newer copy.
   * Returns "new", "updated" or "duplicate".
   */
  putMessage(message, { replace = false } = {}) {
    const log = this.log(message.channel);
    for (const changed of log.watchers) changed.add(message.ts);
    if (message.client_msg_id) log.pending.delete(message.client_msg_id);
    const known = log.byTs.get(message.ts);
    if (known && !replace) return "duplicate";
    log.byTs.set(message.ts, message);
    return known ? "updated" : "new";
  }

  /** Seq bookkeeping for a new message: returns true when seqs are missing before it (a gap). */
  advance(channelId, seq) {
    const log = this.log(channelId);
    if (seq <= log.applied) return false;
    if (seq === log.applied + 1) {
      log.applied = seq;
      return false;
    }
    return true;
  }

  putEphemeral(message) {
    this.log(message.channel).ephemeral.set(message.ts, message);
  }

  dismissEphemeral(message) {
    this.log(message.channel).ephemeral.delete(message.ts);
  }

  addPending(message) {
    this.log(message.channel).pending.set(message.client_msg_id, message);
  }

  lastSeqs() {
    const seqs = {};
    for (const [id, log] of this.logs) if (this.channels.has(id)) seqs[id] = log.applied;
    return seqs;
  }

  user(id) {
    return this.users.get(id) || { id, name: id, real_name: gettext("Unknown user"), profile: {} };
  }

  displayName(id) {
    const user = this.user(id);
    return user.profile?.display_name || user.real_name || user.name || id;
  }

  /** A channel's name as people see it: #name, or the other people of a DM. */
  channelTitle(channel) {
    if (!channel) return "";
    if (channel.is_im || channel.is_mpim) {
      const others = (channel.members || []).filter((id) => id !== this.me.id);
      if (!others.length) return `${this.displayName(this.me.id)} (you)`;
      return others.map((id) => this.displayName(id)).join(", ");
    }
    return channel.name;
  }

  mentionsMe(message) {
    // Runs on every message that arrives: a label stops at "<", so the test is linear in the text.
    const text = message.text || "";
    if (text.includes(`<@${this.me.id}>`) || /<!(channel|here|everyone)(\|[^<>]*)?>/.test(text)) return true;
    for (const match of text.matchAll(/<!subteam\^([A-Z0-9]+)(?:\|[^<>]*)?>/g))
      if (this.inUsergroup(match[1])) return true;
    return false;
  }

  /** Whether I am in this (enabled) user group, as far as this tab has heard. */
  inUsergroup(groupId) {
    return Boolean(this.usergroups.get(groupId)?.users?.includes(this.me.id));
  }
}
