import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import {
  addCustomEmoji,
  customEmojiUrl,
  emojiChar,
  isKnownEmoji,
  removeCustomEmoji,
  searchEmoji,
  setCustomEmoji,
} from "../static/js/client/emoji.js";
import { renderMarkdown } from "../static/js/client/markdown.js";
import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });

const ctx = { meId: "U1", userName: (id) => id, channelName: (id) => id, channelHref: (id) => `/${id}` };
const render = (text) => html(renderMarkdown(text, ctx));
const PARROT = "/api/v1/workspaces/T1/emoji-images/0123456789abcdef0123456789abcdef.gif";

afterEach(() => setCustomEmoji([]));

describe("custom emoji", () => {
  test("a custom emoji's shortcode becomes its image, with the shortcode as its text", () => {
    setCustomEmoji([["partyparrot", PARROT]]);
    assert.equal(
      render("yes :partyparrot:"),
      `<p class="md-p">yes <img class="emoji emoji--custom" src="${PARROT}" alt=":partyparrot:" title=":partyparrot:" draggable="false"></p>`,
    );
  });

  test("an alias follows its emoji, custom or standard", () => {
    setCustomEmoji([
      ["partyparrot", PARROT],
      ["parrot", "alias:partyparrot"],
      ["hooray", "alias:tada"],
    ]);
    assert.equal(customEmojiUrl("parrot"), PARROT);
    assert.equal(customEmojiUrl("hooray"), null);
    assert.equal(emojiChar("hooray"), "🎉");
  });

  test("emoji added and removed by events are known, then not", () => {
    assert.equal(isKnownEmoji("partyparrot"), false);
    addCustomEmoji("partyparrot", PARROT);
    addCustomEmoji("parrot", "alias:partyparrot");
    assert.equal(isKnownEmoji("parrot"), true);
    assert.deepEqual(searchEmoji("par", 2), ["partyparrot", "parrot"]);
    removeCustomEmoji(["partyparrot", "parrot"]);
    assert.equal(isKnownEmoji("partyparrot"), false);
    assert.equal(render(":partyparrot:"), '<p class="md-p">:partyparrot:</p>');
  });

  test("setting the same list again says nothing changed", () => {
    assert.equal(setCustomEmoji([["partyparrot", PARROT]]), true);
    assert.equal(setCustomEmoji([["partyparrot", PARROT]]), false);
    assert.equal(setCustomEmoji([["partyparrot", "alias:tada"]]), true);
    assert.equal(setCustomEmoji([]), true);
    assert.equal(setCustomEmoji([]), false);
  });

  test("custom emoji come before standard ones in suggestions", () => {
    setCustomEmoji([["tadaaa", PARROT]]);
    assert.deepEqual(searchEmoji("tad", 2), ["tadaaa", "tada"]);
  });
});
