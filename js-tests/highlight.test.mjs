import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { h } from "../static/js/client/dom.js";
import {
  fenceLanguage,
  HIGHLIGHT_MAX_CHARS,
  highlightedLanguages,
  highlightInto,
  nodesFromTokens,
  setHighlightRunner,
} from "../static/js/client/highlight.js";
import { loadLanguage, tokensOf } from "../static/js/client/highlight-languages.js";
import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });

// Node has no Web Worker: the tests run highlight.js in this thread, as the worker would.
const highlightNodes = (hljs, code, language) => nodesFromTokens(tokensOf(hljs, code, language));
setHighlightRunner(async (code, language) => tokensOf(await loadLanguage(language), code, language));

const ROOT = new URL("../", import.meta.url);
const VENDOR = new URL("static/js/vendor/highlight/", ROOT);
const PACKAGE = new URL("node_modules/@highlightjs/cdn-assets/", ROOT);

describe("the vendored highlighter", () => {
  test("is the pinned package's files, byte for byte", () => {
    const pinned = JSON.parse(readFileSync(new URL("package.json", ROOT))).devDependencies["@highlightjs/cdn-assets"];
    assert.equal(readFileSync(new URL("VERSION", VENDOR), "utf8").trim(), pinned);
    assert.equal(JSON.parse(readFileSync(new URL("package.json", PACKAGE))).version, pinned);
    const files = ["core.min.js", "LICENSE", ...highlightedLanguages().map((name) => `languages/${name}.min.js`)];
    for (const file of files) {
      const source = file === "core.min.js" || file.startsWith("languages/") ? `es/${file}` : file;
      assert.ok(readFileSync(new URL(file, VENDOR)).equals(readFileSync(new URL(source, PACKAGE))), file);
    }
  });

  test("has exactly the languages the client offers, and the Makefile copies the same", () => {
    const vendored = readdirSync(new URL("languages/", VENDOR)).map((file) => file.replace(/\.min\.js$/, ""));
    assert.deepEqual(vendored.sort(), [...highlightedLanguages()].sort());
    const makefile = readFileSync(new URL("Makefile", ROOT), "utf8");
    const listed = makefile
      .match(/^HLJS_LANGUAGES := ([\s\S]*?)\n\n/m)[1]
      .replace(/\\\n/g, " ")
      .split(/\s+/);
    assert.deepEqual(listed.filter(Boolean).sort(), [...highlightedLanguages()].sort());
  });

  test("every language loads and colours a line", async () => {
    for (const language of highlightedLanguages()) {
      const hljs = await loadLanguage(language);
      const nodes = highlightNodes(hljs, 'x = "a" // 1\nif true then', language);
      assert.ok(nodes, language);
      assert.equal(nodes.textContent, 'x = "a" // 1\nif true then', language);
    }
  });
});

describe("fence names", () => {
  test("aliases and case lead to one language", () => {
    assert.equal(fenceLanguage("py"), "python");
    assert.equal(fenceLanguage("Python"), "python");
    assert.equal(fenceLanguage("ts"), "typescript");
    assert.equal(fenceLanguage("html"), "xml");
    assert.equal(fenceLanguage("text"), "plaintext");
    assert.equal(fenceLanguage("klingon"), null);
    assert.equal(fenceLanguage("__proto__"), null);
  });
});

describe("highlighting builds nodes, never markup", () => {
  test("tags and entities in the code stay text inside the spans", async () => {
    const code = "<script>alert(1)</script>\n<img src=x onerror=alert(2)> &amp;";
    const node = h("code", {}, code);
    assert.equal(await highlightInto(node, code, "xml"), true);
    assert.equal(node.textContent, code);
    const out = html(node);
    assert.doesNotMatch(out, /<script|<img/);
    assert.match(out, /<span class="hljs-tag">&lt;<span class="hljs-name">script<\/span>&gt;<\/span>/);
  });

  test("a nested scope becomes classes as highlight.js names them", async () => {
    const node = h("code", {}, "class A(B):\n    pass");
    await highlightInto(node, "class A(B):\n    pass", "python");
    assert.match(html(node), /<span class="hljs-title class_">A<\/span>/);
    assert.match(html(node), /<span class="hljs-title class_ inherited__">B<\/span>/);
  });

  test("plain text, an unknown language and code over the limit stay as they are", async () => {
    const long = "x = 1\n".repeat(HIGHLIGHT_MAX_CHARS / 6 + 1);
    for (const [code, language] of [
      ["x = 1", "plaintext"],
      ["x = 1", "klingon"],
      [long, "python"],
    ]) {
      const node = h("code", {}, code);
      assert.equal(await highlightInto(node, code, language), false);
      assert.equal(html(node), `<code>${code}</code>`);
    }
  });

  test("a block changed while the highlighter loaded is left alone", async () => {
    const node = h("code", {}, "x = 1");
    const done = highlightInto(node, "x = 1", "python");
    node.replaceChildren("edited");
    assert.equal(await done, false);
    assert.equal(html(node), "<code>edited</code>");
  });
});

describe("token lists", () => {
  test("scopes nested thousands deep keep their text, with spans only near the top", () => {
    const tokens = [...Array.from({ length: 5000 }, () => ({ scope: "string" })), "x", ...Array(5000).fill(0), "y"];
    const nodes = nodesFromTokens(tokens);
    assert.equal(nodes.textContent, "xy");
    assert.ok(html(nodes).split("<span").length <= 65);
  });

  test("a scope with odd characters gets no class, and what is not a token list is nothing", () => {
    assert.equal(html(nodesFromTokens([{ scope: 'x" onclick="a' }, "t", 0])), "t");
    assert.equal(nodesFromTokens("<b>x</b>"), null);
  });
});
