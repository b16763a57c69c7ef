import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { isTopLevel, Store } from "../static/js/client/store.js";

const ME = { id: "U1", name: "ada", real_name: "Ada Lovelace", profile: { display_name: "ada" } };

function newStore() {
  return new Store({ self: ME, workspace: { id: "W1" } });
}

function message(seq, fields = {}) {
  return {
    channel: "C1",
    ts: `1700000000.${String(seq).padStart(6, "0")}`,
    seq,
    user: "U2",
    text: `m${seq}`,
    ...fields,
  };
}

const texts = (messages) => messages.map((m) => m.text);

describe("storing messages", () => {
  test("the timeline is in seq order whatever order messages arrive in", () => {
    const store = newStore();
    for (const seq of [3, 1, 2]) store.putMessage(message(seq));
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "m2", "m3"]);
  });

  test("a message heard twice is stored once", () => {
    const store = newStore();
    assert.equal(store.putMessage(message(1)), "new");
    assert.equal(store.putMessage(message(1, { text: "replayed" })), "duplicate");
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1"]);
  });

  test("a replacing copy updates the stored message in place", () => {
    const store = newStore();
    store.putMessage(message(1));
    store.putMessage(message(2));
    assert.equal(store.putMessage(message(1, { text: "edited" }), { replace: true }), "updated");
    assert.deepEqual(texts(store.log("C1").timeline()), ["edited", "m2"]);
  });

  test("the server's copy of our message replaces the pending one", () => {
    const store = newStore();
    store.putMessage(message(1));
    store.addPending({ channel: "C1", client_msg_id: "local-1", ts: "9999999999.000000", text: "sending" });
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "sending"]);
    store.putMessage(message(2, { client_msg_id: "local-1", text: "sent" }));
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "sent"]);
  });

  test("pending messages come after every stored one", () => {
    const store = newStore();
    store.addPending({ channel: "C1", client_msg_id: "local-1", ts: "1000000000.000000", text: "sending" });
    store.putMessage(message(5));
    assert.deepEqual(texts(store.log("C1").timeline()), ["m5", "sending"]);
  });

  test("channels keep separate logs", () => {
    const store = newStore();
    store.putMessage(message(1));
    store.putMessage(message(1, { channel: "C2", text: "elsewhere" }));
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1"]);
    assert.deepEqual(texts(store.log("C2").timeline()), ["elsewhere"]);
  });
});

describe("threads", () => {
  const root = message(1, { thread_ts: message(1).ts });

  test("replies stay out of the channel's timeline unless broadcast", () => {
    const store = newStore();
    store.putMessage(root);
    store.putMessage(message(2, { thread_ts: root.ts, text: "reply" }));
    store.putMessage(message(3, { thread_ts: root.ts, subtype: "thread_broadcast", text: "broadcast" }));
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "broadcast"]);
  });

  test("a thread holds its replies in seq order, without its root", () => {
    const store = newStore();
    store.putMessage(root);
    store.putMessage(message(4, { thread_ts: root.ts, text: "second" }));
    store.putMessage(message(2, { thread_ts: root.ts, text: "first" }));
    store.putMessage(message(3, { text: "not in the thread" }));
    assert.deepEqual(texts(store.log("C1").thread(root.ts)), ["first", "second"]);
  });

  test("a root and a broadcast reply are top level, a plain reply is not", () => {
    assert.equal(isTopLevel(root), true);
    assert.equal(isTopLevel(message(2)), true);
    assert.equal(isTopLevel(message(2, { thread_ts: root.ts })), false);
    assert.equal(isTopLevel(message(2, { thread_ts: root.ts, subtype: "thread_broadcast" })), true);
  });

  test("the oldest seq counts top-level messages only", () => {
    const store = newStore();
    assert.equal(store.log("C1").oldestSeq(), null);
    store.putMessage(message(5));
    store.putMessage(message(3, { thread_ts: message(1).ts }));
    store.putMessage(message(4));
    assert.equal(store.log("C1").oldestSeq(), 4);
  });

  test("dropping what came before a seq keeps that page, what is newer, and the pending posts", () => {
    const store = newStore();
    for (const seq of [1, 2, 5, 6, 9]) store.putMessage(message(seq));
    store.putMessage(message(3, { thread_ts: message(1).ts }));
    store.putMessage(message(7, { thread_ts: message(6).ts }));
    store.addPending({ ...message(10), client_msg_id: "c-10", ts: "1700000001.000000" });
    const log = store.log("C1");
    log.applied = 9;

    log.dropBefore(5);

    assert.deepEqual(
      [...log.byTs.values()].map((m) => m.seq).sort((a, b) => a - b),
      [5, 6, 7, 9],
    );
    assert.equal(log.oldestSeq(), 5);
    assert.equal(log.pending.size, 1);
    assert.equal(log.applied, 9);
  });

  test("dropping keeps the whole of the thread open in the pane", () => {
    const store = newStore();
    for (const seq of [1, 2, 5]) store.putMessage(message(seq));
    store.putMessage(message(3, { thread_ts: message(1).ts }));
    store.putMessage(message(4, { thread_ts: message(2).ts }));
    const log = store.log("C1");

    log.dropBefore(5, message(1).ts);

    assert.deepEqual(
      [...log.byTs.values()].map((m) => m.seq).sort((a, b) => a - b),
      [1, 3, 5],
    );
  });

  test("a watcher collects the ts of every message stored while it watches", () => {
    const store = newStore();
    const log = store.log("C1");
    const changed = new Set();
    log.watchers.add(changed);
    store.putMessage(message(1));
    store.putMessage({ ...message(1), reactions: [{ name: "tada", users: ["U2"], count: 1 }] }, { replace: true });
    log.watchers.delete(changed);
    store.putMessage(message(2));

    assert.deepEqual([...changed], [message(1).ts]);
  });
});

describe("ephemeral messages", () => {
  test("are placed among stored messages by their ts, and dismissing one removes it", () => {
    const store = newStore();
    store.putMessage(message(1));
    store.putMessage(message(3));
    const ephemeral = { channel: "C1", ts: message(2).ts, text: "only you", is_ephemeral: true };
    store.putEphemeral(ephemeral);
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "only you", "m3"]);
    store.dismissEphemeral(ephemeral);
    assert.deepEqual(texts(store.log("C1").timeline()), ["m1", "m3"]);
  });
});

describe("seq bookkeeping", () => {
  test("the next seq advances the resume point", () => {
    const store = newStore();
    assert.equal(store.advance("C1", 1), false);
    assert.equal(store.advance("C1", 2), false);
    assert.equal(store.log("C1").applied, 2);
  });

  test("a skipped seq is a gap and does not advance the resume point", () => {
    const store = newStore();
    store.advance("C1", 1);
    assert.equal(store.advance("C1", 3), true);
    assert.equal(store.log("C1").applied, 1);
  });

  test("an old seq heard again is neither a gap nor a step back", () => {
    const store = newStore();
    store.advance("C1", 1);
    store.advance("C1", 2);
    assert.equal(store.advance("C1", 1), false);
    assert.equal(store.log("C1").applied, 2);
  });

  test("a channel first heard of resumes from its last seq, and later news does not move it back", () => {
    const store = newStore();
    store.setChannel({ id: "C1", name: "general", last_seq: 40 });
    assert.equal(store.log("C1").applied, 40);
    store.advance("C1", 41);
    store.setChannel({ id: "C1", last_seq: 10 });
    assert.equal(store.log("C1").applied, 41);
    assert.equal(store.channels.get("C1").name, "general");
  });

  test("resume points are reported only for channels still known", () => {
    const store = newStore();
    store.setChannel({ id: "C1", name: "general", last_seq: 7 });
    store.setChannel({ id: "C2", name: "random", last_seq: 3 });
    store.advance("C9", 1);
    store.removeChannel("C2");
    assert.deepEqual(store.lastSeqs(), { C1: 7 });
  });
});

describe("people and names", () => {
  test("a display name falls back to the real name, then the user name", () => {
    const store = newStore();
    store.setUsers([
      { id: "U2", name: "grace", real_name: "Grace Hopper", profile: { display_name: "" } },
      { id: "U3", name: "alan", real_name: "", profile: {} },
    ]);
    assert.equal(store.displayName("U1"), "ada");
    assert.equal(store.displayName("U2"), "Grace Hopper");
    assert.equal(store.displayName("U3"), "alan");
    assert.equal(store.user("U9").real_name, "Unknown user");
  });

  test("a DM is titled by the other people in it, a DM with oneself by one's own name", () => {
    const store = newStore();
    store.setUsers([{ id: "U2", name: "grace", real_name: "Grace Hopper", profile: {} }]);
    assert.equal(store.channelTitle({ id: "D1", is_im: true, members: ["U1", "U2"] }), "Grace Hopper");
    assert.equal(store.channelTitle({ id: "D2", is_im: true, members: ["U1"] }), "ada (you)");
    assert.equal(store.channelTitle({ id: "C1", name: "general", members: ["U1", "U2"] }), "general");
    assert.equal(store.channelTitle(undefined), "");
  });

  test("changes are announced to listeners", () => {
    const store = newStore();
    const heard = [];
    store.addEventListener("users", () => heard.push("users"));
    store.addEventListener("channels", () => heard.push("channels"));
    store.setUsers([]);
    store.setChannel({ id: "C1", name: "general" });
    assert.deepEqual(heard, ["users", "channels"]);
  });
});

describe("mentions of me", () => {
  const mentions = (text) => newStore().mentionsMe({ text });

  test("a mention of me or of everyone counts", () => {
    assert.equal(mentions("hey <@U1>"), true);
    assert.equal(mentions("<!here> standup"), true);
    assert.equal(mentions("<!channel|@channel> lunch"), true);
    assert.equal(mentions("<!everyone>"), true);
  });

  test("a mention of someone else, a lookalike or no text does not", () => {
    assert.equal(mentions("hey <@U12>"), false);
    assert.equal(mentions("hey @U1"), false);
    assert.equal(mentions("<!subteam^S1>"), false);
    assert.equal(newStore().mentionsMe({}), false);
  });

  test("a user group I am in counts, one I am not in or that was disabled does not", () => {
    const store = newStore();
    store.setUsergroups([
      { id: "S1", handle: "design", name: "Design", users: ["U1", "U2"], date_delete: 0 },
      { id: "S2", handle: "sales", name: "Sales", users: ["U2"], date_delete: 0 },
    ]);
    assert.equal(store.mentionsMe({ text: "<!subteam^S1|@design> review?" }), true);
    assert.equal(store.mentionsMe({ text: "<!subteam^S2|@sales> review?" }), false);
    store.setUsergroups([{ id: "S1", handle: "design", name: "Design", users: ["U1"], date_delete: 1700000000 }]);
    assert.equal(store.mentionsMe({ text: "<!subteam^S1>" }), false);
  });

  test("members joining and leaving a group change whether its mention is mine", () => {
    const store = newStore();
    store.setUsergroups([{ id: "S2", handle: "sales", name: "Sales", users: ["U2"], date_delete: 0 }]);
    store.changeUsergroupMembers("S2", ["U1"], ["U2"]);
    assert.equal(store.mentionsMe({ text: "<!subteam^S2>" }), true);
    assert.equal(store.usergroups.get("S2").user_count, 1);
  });
});
