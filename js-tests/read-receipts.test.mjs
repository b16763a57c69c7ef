import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { seenBy, seenByText } from "../static/js/client/read-receipts.js";

describe("read receipts", () => {
  test("name one, two or three people, then two and how many others", () => {
    assert.equal(seenByText(["Alice"]), "Seen by Alice");
    assert.equal(seenByText(["Alice", "Bob"]), "Seen by Alice and Bob");
    assert.equal(seenByText(["Alice", "Bob", "Carol"]), "Seen by Alice, Bob and Carol");
    assert.equal(seenByText(["Alice", "Bob", "Carol", "Dan"]), "Seen by Alice, Bob and 2 others");
  });

  test("name no one under another message, nor me, nor the message's author", () => {
    const receipts = { seq: 4, seen_by: ["U1", "U2", "U3"] };
    assert.deepEqual(seenBy(receipts, { seq: 4, user: "U3" }, "U1"), ["U2"]);
    assert.deepEqual(seenBy(receipts, { seq: 5, user: "U3" }, "U1"), []);
    assert.deepEqual(seenBy(null, { seq: 4, user: "U3" }, "U1"), []);
  });
});
