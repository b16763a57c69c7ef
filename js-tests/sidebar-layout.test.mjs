import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  arrangeSidebar,
  changeSection,
  DEFAULT_LAYOUT,
  dropPosition,
  moveInLayout,
} from "../static/js/client/sidebar-layout.js";

const title = (channel) => channel.name;
const channel = (id, name, fields = {}) => ({ id, name, ...fields });
const CHANNELS = [
  channel("C1", "zeta", { last_ts: "1700000001.000000" }),
  channel("C2", "alpha", { last_ts: "1700000003.000000" }),
  channel("C3", "mid", { last_ts: "1700000002.000000", unread_count: 2 }),
  channel("D1", "bob", { is_im: true }),
];

function layout(sections, show_unreads = false) {
  return { show_unreads, sections: [...sections, ...DEFAULT_LAYOUT.sections] };
}

const own = (id, channel_ids, fields = {}) => ({
  id,
  type: "standard",
  name: id,
  collapsed: false,
  sort: "manual",
  channel_ids,
  ...fields,
});

const ids = (arranged) => arranged.sections.map((part) => [part.section.id, part.channels.map((c) => c.id)]);

describe("arranging the sidebar", () => {
  test("unplaced conversations sit in their default sections, by name", () => {
    assert.deepEqual(ids(arrangeSidebar(DEFAULT_LAYOUT, CHANNELS, { title })), [
      ["channels", ["C2", "C3", "C1"]],
      ["direct_messages", ["D1"]],
    ]);
  });

  test("placed ones show in their section in the order arranged, and leave their default", () => {
    const arranged = arrangeSidebar(layout([own("L1", ["C1", "D1"])]), CHANNELS, { title });
    assert.deepEqual(ids(arranged), [
      ["L1", ["C1", "D1"]],
      ["channels", ["C2", "C3"]],
      ["direct_messages", []],
    ]);
    assert.deepEqual(arranged.sections[0].placed, ["C1", "D1"]);
  });

  test("a section sorts by name or by the most recent activity", () => {
    const byName = arrangeSidebar(layout([own("L1", ["C1", "C3", "C2"], { sort: "name" })]), CHANNELS, { title });
    assert.deepEqual(
      byName.sections[0].channels.map((c) => c.id),
      ["C2", "C3", "C1"],
    );
    const recent = CHANNELS.map((c) => (c.id === "C1" ? { ...c, last_ts: "1700000009.000000" } : c));
    const byActivity = arrangeSidebar(layout([own("L1", ["C2", "C3", "C1"], { sort: "activity" })]), recent, {
      title,
    });
    assert.deepEqual(
      byActivity.sections[0].channels.map((c) => c.id),
      ["C1", "C2", "C3"],
    );
  });

  test("Unreads, when shown, takes the unread conversations out of their sections", () => {
    const inUnreads = (c) => c.unread_count > 0;
    const hidden = arrangeSidebar(DEFAULT_LAYOUT, CHANNELS, { title, inUnreads });
    assert.equal(hidden.unreads, null);
    const shown = arrangeSidebar({ ...DEFAULT_LAYOUT, show_unreads: true }, CHANNELS, { title, inUnreads });
    assert.deepEqual(
      shown.unreads.map((c) => c.id),
      ["C3"],
    );
    assert.deepEqual(
      shown.sections[0].channels.map((c) => c.id),
      ["C2", "C1"],
    );
  });

  test("a placed conversation no longer visible (left, archived) is skipped", () => {
    const arranged = arrangeSidebar(layout([own("L1", ["C9", "C1"])]), CHANNELS, { title });
    assert.deepEqual(arranged.sections[0].placed, ["C1"]);
  });
});

describe("moving conversations", () => {
  test("a drop lands before the item under the pointer, or at the end", () => {
    assert.equal(dropPosition(["C1", "C2", "C3"], "C9", "C2"), 1);
    assert.equal(dropPosition(["C1", "C2", "C3"], "C1", "C3"), 1);
    assert.equal(dropPosition(["C1", "C2"], "C9", null), 2);
    assert.equal(dropPosition(["C1", "C2"], "C9", "C7"), 2);
  });

  test("the layout after a move has the conversation in one section only, at its position", () => {
    const before = layout([own("L1", ["C1", "C2"]), own("L2", ["C3"])]);
    const after = moveInLayout(before, "C3", "L1", 1);
    assert.deepEqual(after.sections[0].channel_ids, ["C1", "C3", "C2"]);
    assert.deepEqual(after.sections[1].channel_ids, []);
    assert.deepEqual(before.sections[0].channel_ids, ["C1", "C2"], "the layout given is left as it was");
    assert.deepEqual(moveInLayout(before, "C1", "channels", null).sections[2].channel_ids, ["C1"]);
  });

  test("changing a section changes that one only", () => {
    const after = changeSection(DEFAULT_LAYOUT, "channels", { collapsed: true });
    assert.deepEqual(
      after.sections.map((s) => s.collapsed),
      [true, false],
    );
  });
});
