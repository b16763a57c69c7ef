import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { Drafts } from "../static/js/client/drafts.js";

/** The part of the Web Storage API drafts use, in memory. */
class MemoryStorage {
  constructor() {
    this.items = new Map();
  }
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  removeItem(key) {
    this.items.delete(key);
  }
}

/** Storage as a private window (or a full disk) has it: every call throws. */
class RefusingStorage {
  getItem() {
    throw new Error("SecurityError");
  }
  setItem() {
    throw new Error("QuotaExceededError");
  }
  removeItem() {
    throw new Error("SecurityError");
  }
}

let changes;
let drafts;

beforeEach(() => {
  globalThis.localStorage = new MemoryStorage();
  changes = 0;
  drafts = new Drafts("W1", () => changes++);
});

describe("drafts per conversation", () => {
  test("a draft is kept and read back", () => {
    drafts.set(drafts.key("C1"), "half a thought");
    assert.equal(drafts.get(drafts.key("C1")), "half a thought");
    assert.equal(drafts.has("C1"), true);
  });

  test("a conversation without a draft reads as empty", () => {
    assert.equal(drafts.get(drafts.key("C1")), "");
    assert.equal(drafts.has("C1"), false);
  });

  test("each channel and each thread has its own draft", () => {
    drafts.set(drafts.key("C1"), "to the channel");
    drafts.set(drafts.key("C1", "1700000000.000100"), "to the thread");
    drafts.set(drafts.key("C2"), "elsewhere");
    assert.equal(drafts.get(drafts.key("C1")), "to the channel");
    assert.equal(drafts.get(drafts.key("C1", "1700000000.000100")), "to the thread");
    assert.equal(drafts.get(drafts.key("C2")), "elsewhere");
  });

  test("a thread's draft does not mark its channel as having one", () => {
    drafts.set(drafts.key("C1", "1700000000.000100"), "to the thread");
    assert.equal(drafts.has("C1"), false);
  });

  test("drafts of one workspace are not seen from another", () => {
    drafts.set(drafts.key("C1"), "in W1");
    const other = new Drafts("W2", () => {});
    assert.equal(other.get(other.key("C1")), "");
    assert.equal(other.has("C1"), false);
  });

  test("the draft survives a reload: a new Drafts reads what the old one kept", () => {
    drafts.set(drafts.key("C1"), "typed before reload");
    const reloaded = new Drafts("W1", () => {});
    assert.equal(reloaded.get(reloaded.key("C1")), "typed before reload");
  });
});

describe("clearing", () => {
  test("blank text forgets the draft", () => {
    drafts.set(drafts.key("C1"), "something");
    drafts.set(drafts.key("C1"), "  \n ");
    assert.equal(drafts.get(drafts.key("C1")), "");
    assert.equal(drafts.has("C1"), false);
    assert.equal(localStorage.items.size, 0);
  });

  test("clearing a thread's draft keeps the channel's", () => {
    drafts.set(drafts.key("C1"), "to the channel");
    drafts.set(drafts.key("C1", "1700000000.000100"), "to the thread");
    drafts.set(drafts.key("C1", "1700000000.000100"), "");
    assert.equal(drafts.get(drafts.key("C1")), "to the channel");
    assert.equal(drafts.get(drafts.key("C1", "1700000000.000100")), "");
  });
});

describe("change notices", () => {
  test("are sent when a draft appears and when it goes, not on every keystroke", () => {
    const key = drafts.key("C1");
    drafts.set(key, "h");
    drafts.set(key, "he");
    drafts.set(key, "hello");
    assert.equal(changes, 1);
    drafts.set(key, "");
    assert.equal(changes, 2);
    drafts.set(key, "");
    assert.equal(changes, 2);
  });
});

describe("storage refused", () => {
  test("reads are empty and writes are dropped without an error or a change notice", () => {
    globalThis.localStorage = new RefusingStorage();
    assert.doesNotThrow(() => drafts.set(drafts.key("C1"), "lost"));
    assert.equal(drafts.get(drafts.key("C1")), "");
    assert.equal(drafts.has("C1"), false);
    assert.equal(changes, 0);
  });
});
