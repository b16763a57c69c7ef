import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });
const { ViewStack, errorPlacements, failureText, submissionOutcome } = await import("../static/js/client/modal.js");

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
    assert.deepEqual(
      stack.views.map((v) => v.id),
      ["V1", "V2", "V3"],
    );
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

describe("a submission's answer", () => {
  test("errors are kept with their messages", () => {
    const answer = { ok: true, response_action: "errors", errors: { reason: "Too short" } };
    assert.deepEqual(submissionOutcome(answer), { kind: "errors", errors: { reason: "Too short" } });
  });

  test("update and push carry the view to show", () => {
    const next = view("V2", "V1");
    assert.deepEqual(submissionOutcome({ response_action: "update", view: next }), { kind: "update", view: next });
    assert.deepEqual(submissionOutcome({ response_action: "push", view: next }), { kind: "push", view: next });
  });

  test("clear and an empty ack close the stack", () => {
    assert.equal(submissionOutcome({ response_action: "clear" }).kind, "close");
    assert.equal(submissionOutcome({ ok: true, response_action: null }).kind, "close");
    assert.equal(submissionOutcome({ ok: true }).kind, "close");
  });

  test("an update without a view closes nothing", () => {
    assert.equal(submissionOutcome({ response_action: "update" }).kind, "none");
    assert.equal(submissionOutcome({ response_action: "explode" }).kind, "none");
  });
});

describe("errors beside their inputs", () => {
  test("each error goes to the block it names, described by an id of its own", () => {
    const { placed, unplaced } = errorPlacements({ reason: "Too short", when: "Pick a day" }, ["reason", "when", "x"]);
    assert.deepEqual(placed, [
      { blockId: "reason", id: "app-modal-error-reason", text: "Too short" },
      { blockId: "when", id: "app-modal-error-when", text: "Pick a day" },
    ]);
    assert.deepEqual(unplaced, []);
  });

  test("an error for a block the view does not have is shown for the whole modal", () => {
    const { placed, unplaced } = errorPlacements({ ghost: "No such field" }, ["reason"]);
    assert.deepEqual(placed, []);
    assert.deepEqual(unplaced, ["No such field"]);
  });
});

describe("a failed request's words", () => {
  test("an app that did not respond is named, and nothing else is said", () => {
    const error = { code: "app_did_not_respond", message: "Deployer did not respond. Try again." };
    assert.equal(failureText(error), "Deployer did not respond. Try again.");
    assert.equal(failureText({ code: "app_did_not_respond" }, "Deployer"), "Deployer did not respond. Try again.");
  });

  test("any other failure says what the server said", () => {
    assert.equal(failureText({ code: "view_not_found", message: "That view is gone." }), "That view is gone.");
  });
});
