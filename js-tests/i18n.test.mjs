// Every word the client shows goes through gettext: a string literal that reaches the page (an element's
// text or child, a label-like attribute, a toast, an announcement, a success message) or that reads like prose fails here
// unless it is the message of a gettext/ngettext/pgettext call. A literal that only looks like prose (a
// selector, a log line) is allowed by an `i18n-ignore` comment on its line, with the reason beside it.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { parse } from "acorn";
import { ancestor } from "acorn-walk";

import { gettext, interpolate, ngettext, pgettext, setCatalog } from "../static/js/client/i18n.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLIENT = join(ROOT, "static/js/client");

const MARKERS = new Set(["gettext", "ngettext", "pgettext"]);
const VISIBLE_ATTRIBUTES = new Set([
  "text",
  "hint",
  "title",
  "placeholder",
  "aria-label",
  "aria-description",
  "aria-roledescription",
  "aria-valuetext",
  "alt",
  "label",
]);
const VISIBLE_PROPERTIES = new Set(["textContent", "innerText", "title", "placeholder", "ariaLabel", "label"]);
const VISIBLE_CALLS = new Set(["toast", "announce", "alert", "confirm", "prompt"]);

function clientModules(dir = CLIENT) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return clientModules(path);
    return entry.name.endsWith(".js") && entry.name !== "i18n.js" ? [path] : [];
  });
}

const hasLetters = (text) => /\p{L}{2,}/u.test(text);
const readsLikeProse = (text) =>
  /^\p{Lu}\p{Ll}*[\s\p{P}]/u.test(text.trim()) && /\p{L}[\p{P}]?\s+\p{L}/u.test(text) && !/^[.#[]/.test(text.trim());
/** A word between spaces in a template's text (`${a} and ${b}`) is a sentence being built. */
const buildsSentence = (node, texts) =>
  node.type === "TemplateLiteral" && texts.some((text) => /\s\p{L}{2,}\s/u.test(text));

/** A single capitalised word ("Channels") is shown, unless the code only compares it (a key's name). */
const isCapitalisedWord = (text) => /^\p{Lu}\p{Ll}+[.…!?:]?$/u.test(text);

function onlyCompared(path) {
  const parent = path.at(-2);
  if (parent?.type === "BinaryExpression") return ["===", "!==", "==", "!=", "in"].includes(parent.operator);
  if (parent?.type === "CallExpression")
    return ["includes", "has", "startsWith", "endsWith"].includes(calleeName(parent));
  if (parent?.type === "SwitchCase") return true;
  if (parent?.type === "Property") return parent.key === path.at(-1);
  if (parent?.type === "ArrayExpression") return path.at(-4)?.type === "CallExpression"; // [..].includes(x)
  return false;
}

/** The string pieces of a literal or template node. */
function pieces(node) {
  if (node.type === "Literal" && typeof node.value === "string") return [node.value];
  if (node.type === "TemplateLiteral") return node.quasis.map((quasi) => quasi.value.cooked ?? "");
  return [];
}

/** Is `node`, reached through `path` (outermost first), the message of a gettext-like call? */
function isMarked(node, path) {
  const parent = path.at(-2);
  return (
    parent?.type === "CallExpression" &&
    parent.callee.type === "Identifier" &&
    MARKERS.has(parent.callee.name) &&
    parent.arguments.includes(node)
  );
}

const calleeName = (call) =>
  call.callee.type === "Identifier" ? call.callee.name : call.callee.property?.name || call.callee.property?.value;

const propertyKey = (property) => property.key?.name ?? property.key?.value;

/** Does the value at `path` end on the page? Walks up through ?:, ||, + and template parts only. */
function reachesPage(path) {
  for (let index = path.length - 2; index >= 0; index -= 1) {
    const parent = path[index];
    const child = path[index + 1];
    switch (parent.type) {
      case "ConditionalExpression":
        if (child === parent.test) return false;
        continue;
      case "LogicalExpression":
      case "TemplateLiteral":
      case "ArrayExpression":
      case "SpreadElement":
        continue;
      case "BinaryExpression":
        if (parent.operator !== "+") return false;
        continue;
      case "Property":
        return child === parent.value && VISIBLE_ATTRIBUTES.has(propertyKey(parent));
      case "AssignmentExpression":
        return (
          child === parent.right &&
          parent.left.type === "MemberExpression" &&
          VISIBLE_PROPERTIES.has(parent.left.property.name)
        );
      case "CallExpression": {
        const name = calleeName(parent);
        const position = parent.arguments.indexOf(child);
        if (name === "h") return position >= 2;
        if (name === "setAttribute") return position === 1 && VISIBLE_ATTRIBUTES.has(parent.arguments[0]?.value);
        if (name === "icon") return position === 1;
        if (name === "guard") return position === 1;
        if (VISIBLE_CALLS.has(name)) return position === 0;
        return false;
      }
      default:
        return false;
    }
  }
  return false;
}

function unmarkedIn(path) {
  const source = readFileSync(path, "utf8");
  const lines = source.split("\n");
  const found = [];
  const ast = parse(source, { ecmaVersion: "latest", sourceType: "module", locations: true });
  const check = (node, _state, ancestors) => {
    const texts = pieces(node).filter(hasLetters);
    if (!texts.length || isMarked(node, ancestors)) return;
    const line = node.loc.start.line;
    if (/i18n-ignore/.test(lines[line - 1]) || /i18n-ignore/.test(lines[line - 2] || "")) return;
    const word = texts.length === 1 && isCapitalisedWord(texts[0]) && !onlyCompared(ancestors);
    if (reachesPage(ancestors) || texts.some(readsLikeProse) || word || buildsSentence(node, texts)) {
      found.push(`${relative(ROOT, path)}:${line}: ${JSON.stringify(texts.join("…"))}`);
    }
  };
  ancestor(ast, { Literal: check, TemplateLiteral: check });
  return found;
}

describe("the client's words are marked for translation", () => {
  test("no module shows an unmarked string", () => {
    const found = clientModules().flatMap(unmarkedIn);
    assert.deepEqual(found, [], `unmarked user-visible strings:\n${found.join("\n")}`);
  });
});

describe("the client's catalog", () => {
  test("a translated text is shown in the person's language, a missing one in English", () => {
    setCatalog({
      language: "de",
      catalog: { Save: "Speichern", "%(count)s reply": ["%(count)s Antwort", "%(count)s Antworten"] },
    });
    try {
      assert.equal(gettext("Save"), "Speichern");
      assert.equal(gettext("Not in the catalog"), "Not in the catalog");
      assert.equal(ngettext("%(count)s reply", "%(count)s replies", 1), "%(count)s Antwort");
      assert.equal(interpolate(ngettext("%(count)s reply", "%(count)s replies", 3), { count: 3 }), "3 Antworten");
      assert.equal(ngettext("%(n)s file", "%(n)s files", 2), "%(n)s files");
      assert.equal(pgettext("verb", "Close"), "Close");
    } finally {
      setCatalog(null);
    }
  });

  test("Spanish has a third form for millions, as its catalog's header says", () => {
    setCatalog({ language: "es", catalog: { "%(count)s file": ["un archivo", "un millón de archivos", "archivos"] } });
    try {
      assert.equal(ngettext("%(count)s file", "%(count)s files", 1), "un archivo");
      assert.equal(ngettext("%(count)s file", "%(count)s files", 1000000), "un millón de archivos");
      assert.equal(ngettext("%(count)s file", "%(count)s files", 7), "archivos");
    } finally {
      setCatalog(null);
    }
  });

  test("interpolation leaves unknown names as written", () => {
    assert.equal(interpolate("%(name)s joined %(channel)s", { name: "Ana" }), "Ana joined %(channel)s");
  });
});
