import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_LAYOUT, moveInLayout } from "../static/js/client/sidebar-layout.js";
import { SidebarSections } from "../static/js/client/sidebar-sections.js";

const WORKSPACE = "T1";

/** A layout at `revision` whose own section "L1" holds `channelIds`. */
function layout(revision, channelIds) {
  const own = { id: "L1", type: "standard", name: "Work", collapsed: false, sort: "manual", channel_ids: channelIds };
  return { show_unreads: false, sections: [own, ...DEFAULT_LAYOUT.sections], revision };
}

const changed = (sidebar, workspace = WORKSPACE) => ({ type: "sidebar_changed", workspace, sidebar });

/** Promise whose resolve the test holds, to answer a request when it chooses. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** SidebarSections with the little of the app it uses; `answers` are what the API's calls return, in order. */
function sections(answers = []) {
  const calls = [];
  const app = {
    store: { workspace: { id: WORKSPACE }, emit() {} },
    api: {
      get(path) {
        calls.push(["get", path]);
        return answers.shift();
      },
      put(path, body) {
        calls.push(["put", path, body]);
        return answers.shift();
      },
    },
    toast() {},
  };
  const result = new SidebarSections(app);
  result.calls = calls;
  return result;
}

const placed = (s) => s.layout.sections[0].channel_ids;

describe("sidebar layouts arriving out of order", () => {
  test("an older layout's event arriving after a newer one's is ignored", () => {
    const s = sections();
    s.take(layout(3, []));
    s.apply(changed(layout(5, ["C1", "C2"])));
    s.apply(changed(layout(4, ["C1"]))); // the first of two quick moves, published last
    assert.deepEqual(placed(s), ["C1", "C2"]);
    assert.equal(s.revision, 5);
  });

  test("a newer layout, or the same revision again, is shown", () => {
    const s = sections();
    s.apply(changed(layout(1, ["C1"])));
    s.apply(changed(layout(2, ["C2"])));
    assert.deepEqual(placed(s), ["C2"]);
    s.take(layout(2, ["C2", "C3"])); // the same revision read again (e.g. a channel rejoined since)
    assert.deepEqual(placed(s), ["C2", "C3"]);
  });

  test("another workspace's event changes nothing", () => {
    const s = sections();
    s.take(layout(1, ["C1"]));
    s.apply(changed(layout(9, ["C9"]), "T2"));
    assert.deepEqual([placed(s), s.revision], [["C1"], 1]);
  });

  test("a layout read after a resume that is older than the one shown is ignored", async () => {
    const s = sections([Promise.resolve({ sidebar: layout(6, ["C1"]) })]);
    s.apply(changed(layout(7, ["C1", "C2"]))); // heard while the read was on its way
    await s.load();
    assert.deepEqual(placed(s), ["C1", "C2"]);
    assert.equal(s.revision, 7);
  });

  test("an optimistic move shows at once, and the server's newer layout replaces it, not an older one", async () => {
    const answer = deferred();
    const s = sections([answer.promise]);
    s.take(layout(1, ["C1"]));
    const moving = s.move("C2", "L1", 0);
    assert.deepEqual(placed(s), ["C2", "C1"]); // optimistic
    assert.deepEqual(s.calls, [["put", "workspaces/T1/sidebar/channels/C2", { section: "L1", position: 0 }]]);
    s.apply(changed(layout(0, []))); // older than what is shown: never shown, not even later
    assert.deepEqual(placed(s), ["C2", "C1"]);
    answer.resolve({ sidebar: layout(2, ["C2", "C1"]) });
    await moving;
    assert.deepEqual([placed(s), s.revision], [["C2", "C1"], 2]);
    s.apply(changed(layout(2, ["C2", "C1"]))); // this move's own event, after its answer
    s.apply(changed(layout(1, ["C1"]))); // the previous change's, later still
    assert.deepEqual(placed(s), ["C2", "C1"]);
  });

  test("a newer layout heard while a move is in flight wins over the move's older answer", async () => {
    const answer = deferred();
    const s = sections([answer.promise]);
    s.take(layout(1, ["C1"]));
    const moving = s.move("C2", "L1", 0);
    s.apply(changed(layout(3, ["C3", "C2", "C1"]))); // another tab's change, made after this move
    assert.deepEqual(placed(s), ["C2", "C1"]); // still the optimistic one while the move is in flight
    answer.resolve({ sidebar: layout(2, ["C2", "C1"]) });
    await moving;
    assert.deepEqual([placed(s), s.revision], [["C3", "C2", "C1"], 3]);
  });

  test("a refused move is undone, and a layout heard meanwhile still shows", async () => {
    const answer = deferred();
    const s = sections([answer.promise]);
    s.take(layout(1, ["C1"]));
    const moving = s.move("C2", "L1", 0);
    s.apply(changed(layout(2, ["C1", "C4"])));
    answer.reject(new Error("channel_not_found"));
    await moving;
    assert.deepEqual([placed(s), s.revision], [["C1", "C4"], 2]);
  });

  test("the optimistic layout is the move applied to the one shown", () => {
    const s = sections([new Promise(() => {})]);
    s.take(layout(1, ["C1"]));
    s.move("C2", "L1", 1);
    assert.deepEqual(s.layout, moveInLayout(layout(1, ["C1"]), "C2", "L1", 1));
  });
});
