import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });
const { ViewStack } = await import("../static/js/client/app-views.js");

const view = (id, root = id) => ({ id, root_view_id: root });

describe("a modal stack", () => {
  test("opening replaces whatever was shown", () => {
    const stack = new ViewStack();
    stack.open(view("V1"));
    stack.open(view("V2"));
    assert.deepEqual(
      stack.views.map((v) => v.id),
      ["V2"],
    );
  });

  test("holds three views at most and pops back to the one below", () => {
    const stack = new ViewStack();
    stack.open(view("V1"));
    assert.equal(stack.push(view("V2", "V1")), true);
    assert.equal(stack.push(view("V3", "V1")), true);
    assert.equal(stack.push(view("V4", "V1")), false);
    assert.equal(stack.pop().id, "V2");
  });

  test("an update replaces the view of the same id, wherever it is, and nothing else", () => {
    const stack = new ViewStack();
    stack.open(view("V1"));
    stack.push(view("V2", "V1"));
    assert.equal(stack.replace({ ...view("V1"), title: "new" }), true);
    assert.equal(stack.views[0].title, "new");
    assert.equal(stack.replace(view("V9")), false);
  });

  test("a push of a view already shown updates it instead of stacking it twice", () => {
    const stack = new ViewStack();
    stack.open(view("V1"));
    stack.push({ ...view("V1"), title: "again" });
    assert.equal(stack.views.length, 1);
    assert.equal(stack.top.title, "again");
  });

  test("views_cleared closes only the stack it names", () => {
    const stack = new ViewStack();
    stack.open(view("V1"));
    assert.equal(stack.clear("V7"), false);
    assert.equal(stack.views.length, 1);
    assert.equal(stack.clear("V1"), true);
    assert.equal(stack.top, null);
  });
});
