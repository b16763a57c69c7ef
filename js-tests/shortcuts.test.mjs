import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });
const { ShortcutCache, shortcutMenu, shortcutRequest } = await import("../static/js/client/shortcuts.js");
const { tabForKey } = await import("../static/js/client/app-home.js");

const TASK = { app_id: "A1", app_name: "Deployer", callback_id: "task", name: "Make a task", type: "global" };
const QUOTE = { app_id: "A1", app_name: "Deployer", callback_id: "quote", name: "Quote it", type: "message" };

function fakeApi(answers) {
  const calls = [];
  return {
    calls,
    get(path, params) {
      calls.push([path, params]);
      const answer = answers.shift();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

describe("the shortcuts list", () => {
  test("is asked for once per workspace and split by type", async () => {
    const api = fakeApi([{ shortcuts: [TASK, QUOTE] }, { shortcuts: [] }]);
    const cache = new ShortcutCache(api);
    assert.deepEqual(await cache.ofType("T1", "global"), [TASK]);
    assert.deepEqual(await cache.ofType("T1", "message"), [QUOTE]);
    assert.deepEqual(await cache.ofType("T2", "global"), []);
    assert.deepEqual(api.calls, [
      ["interactions/shortcuts", { workspace: "T1" }],
      ["interactions/shortcuts", { workspace: "T2" }],
    ]);
  });

  test("a failed fetch shows none and is asked again next time", async () => {
    const api = fakeApi([new Error("offline"), { shortcuts: [TASK] }]);
    const cache = new ShortcutCache(api);
    assert.deepEqual(await cache.list("T1"), []);
    assert.deepEqual(await cache.list("T1"), [TASK]);
    assert.equal(api.calls.length, 2);
  });
});

describe("running a shortcut", () => {
  test("a global shortcut names its app and callback", () => {
    assert.deepEqual(shortcutRequest(TASK), { app_id: "A1", callback_id: "task", type: "global" });
  });

  test("a message shortcut names the message too", () => {
    assert.deepEqual(shortcutRequest(QUOTE, { channel: "C1", ts: "1700000000.000100" }), {
      app_id: "A1",
      callback_id: "quote",
      type: "message",
      channel: "C1",
      message_ts: "1700000000.000100",
    });
  });
});

describe("the ⚡ menu", () => {
  test("lists each shortcut with its app as a menu item, as text", () => {
    const evil = { ...TASK, name: "<img src=x onerror=alert(1)>", app_name: "Evil & co" };
    const menu = shortcutMenu([TASK, evil], () => {});
    const markup = html(menu);
    assert.match(markup, /role="menu"/);
    assert.equal((markup.match(/role="menuitem"/g) || []).length, 2);
    assert.match(markup, /Make a task<\/span><span class="menu__hint">Deployer/);
    assert.match(markup, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.doesNotMatch(markup, /<img/);
    assert.match(markup, /Evil &amp; co/);
  });

  test("says so when no app offers a shortcut", () => {
    assert.match(html(shortcutMenu([], () => {})), /No app offers shortcuts here\./);
  });

  test("choosing an item hands over its shortcut", () => {
    const chosen = [];
    const menu = shortcutMenu([TASK], (shortcut) => chosen.push(shortcut));
    const button = menu.childNodes[0].childNodes[0];
    for (const { type, listener } of button.listeners) if (type === "click") listener();
    assert.deepEqual(chosen, [TASK]);
  });
});

describe("the Home and Messages tablist", () => {
  test("arrow keys move round the tabs, Home and End to either end", () => {
    assert.equal(tabForKey("home", "ArrowRight"), "messages");
    assert.equal(tabForKey("messages", "ArrowRight"), "home");
    assert.equal(tabForKey("home", "ArrowLeft"), "messages");
    assert.equal(tabForKey("messages", "Home"), "home");
    assert.equal(tabForKey("home", "End"), "messages");
    assert.equal(tabForKey("home", "Enter"), null);
  });
});
