import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { isUnfurl, renderUnfurls } from "../static/js/client/render/unfurls.js";
import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });

const preview = {
  from_url: "https://news.example/a",
  original_url: "https://news.example/a",
  service_name: "News <b>",
  title: "<img src=x onerror=alert(1)>",
  title_link: "https://news.example/a",
  text: "What happened",
  image_url: "https://chat.example/api/v1/link-previews/k1",
  fallback: "News: x",
};

describe("unfurls under a message", () => {
  test("only previews and app unfurls count, not the sender's own attachments", () => {
    assert.equal(isUnfurl(preview), true);
    assert.equal(isUnfurl({ is_app_unfurl: true, app_unfurl_url: "https://t.example/1" }), true);
    assert.equal(isUnfurl({ title: "mine", text: "an attachment I sent" }), false);
    assert.equal(renderUnfurls({ attachments: [{ title: "mine" }] }), null);
  });

  test("text stays text, the title links out safely, the image comes from this site", () => {
    const out = html(renderUnfurls({ attachments: [preview] }));
    assert.match(out, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(out, /News &lt;b&gt;/);
    assert.match(out, /href="https:\/\/news.example\/a"[^>]*rel="noopener noreferrer nofollow"/);
    assert.match(out, /<img class="unfurl__image" src="https:\/\/chat.example\/api\/v1\/link-previews\/k1"/);
    assert.doesNotMatch(out, /unfurl__remove/);
  });

  test("an image from another site and a javascript: link are left out", () => {
    const hostile = { ...preview, image_url: "https://tracker.example/pixel.gif", title_link: "javascript:alert(1)" };
    const out = html(renderUnfurls({ attachments: [hostile] }));
    assert.doesNotMatch(out, /tracker.example/);
    assert.doesNotMatch(out, /javascript:/);
  });

  test("the author gets a remove button that names the link", () => {
    const removed = [];
    const node = renderUnfurls({ attachments: [preview] }, { canRemove: true, onRemove: (url) => removed.push(url) });
    const button = node.childNodes[0].childNodes[1];
    assert.equal(button.getAttribute("aria-label"), "Remove preview");
    button.listeners.find((entry) => entry.type === "click").listener();
    assert.deepEqual(removed, ["https://news.example/a"]);
  });

  test("an app unfurl made of blocks shows their words", () => {
    const app = {
      is_app_unfurl: true,
      app_unfurl_url: "https://t.example/1",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Issue 1*" } }],
    };
    assert.match(html(renderUnfurls({ attachments: [app] })), /\*Issue 1\*/);
  });
});
