// Syntax colours for ```lang code blocks, by highlight.js (see highlight-languages.js), served from our origin.
//
// highlight.js runs in a worker (highlight-worker.js), loaded on the first such block, so a page without one
// never fetches it, and the page's thread never runs it: a grammar that is slow on some input costs the worker
// time, and a job over RUN_LIMIT_MS is ended with its worker, the block left plain. What comes back is a token
// list, never HTML: every token becomes a text node, every scope a <span> with a class, so a message's code
// reaches the page as text whatever it holds.

import { h } from "./dom.js";

import { highlightedLanguages } from "./highlight-languages.js";

export { fenceLanguage, fenceNames, highlightedLanguages } from "./highlight-languages.js";

/** Code longer than this stays plain: 40,000 characters of spans are not free. */
export const HIGHLIGHT_MAX_CHARS = 20000;
/** How long the worker may take to load a language, and then to colour one block. */
const LOAD_LIMIT_MS = 15000;
const RUN_LIMIT_MS = 1500;

// highlight.js names a scope "keyword", "title.function" (two classes) or "language:xml" (an embedded language).
function scopeClass(scope) {
  if (typeof scope !== "string" || !/^[\w.:-]{1,60}$/.test(scope)) return null;
  if (scope.startsWith("language:")) return `language-${scope.slice(9)}`;
  const [first, ...rest] = scope.split(".");
  return [`hljs-${first}`, ...rest.map((part, index) => `${part}${"_".repeat(index + 1)}`)].join(" ");
}

// Scopes nested deeper than this (brackets in brackets…) keep their text but get no span of their own.
const MAX_SPAN_DEPTH = 64;

/** A token list (highlight-languages.js's tokensOf) as nodes, or null when it is not one. */
export function nodesFromTokens(tokens) {
  if (!Array.isArray(tokens)) return null;
  const fragment = document.createDocumentFragment();
  const stack = [{ parent: fragment, span: true }];
  for (const token of tokens) {
    const top = stack.at(-1);
    if (typeof token === "string") top.parent.append(token);
    else if (token === 0) {
      if (stack.length > 1) stack.pop();
    } else if (token && typeof token === "object") {
      const name = stack.length <= MAX_SPAN_DEPTH ? scopeClass(token.scope) : null;
      const parent = name ? h("span", { class: name }) : top.parent;
      if (name) top.parent.append(parent);
      stack.push({ parent });
    }
  }
  return fragment;
}

/** One job at a time to one worker, each with a time limit; a job over it ends the worker (a new one starts). */
class WorkerRunner {
  constructor() {
    this.queue = [];
    this.job = null;
    this.worker = null;
    this.ids = 0;
  }

  run(code, language) {
    return new Promise((resolve) => {
      this.queue.push({ id: ++this.ids, code, language, resolve });
      this.next();
    });
  }

  next() {
    if (this.job || !this.queue.length) return;
    this.job = this.queue.shift();
    this.worker ??= this.start();
    this.limit(LOAD_LIMIT_MS);
    this.worker.postMessage({ id: this.job.id, code: this.job.code, language: this.job.language });
  }

  start() {
    const worker = new Worker(new URL("./highlight-worker.js", import.meta.url), { type: "module" });
    worker.onmessage = ({ data }) => {
      if (data?.id !== this.job?.id) return;
      if (data.loaded) this.limit(RUN_LIMIT_MS);
      else this.finish(data.tokens ?? null);
    };
    worker.onerror = () => this.stop();
    return worker;
  }

  limit(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(), ms);
  }

  stop() {
    this.worker?.terminate();
    this.worker = null;
    this.finish(null);
  }

  finish(tokens) {
    clearTimeout(this.timer);
    const job = this.job;
    this.job = null;
    job?.resolve(tokens);
    this.next();
  }
}

let runner = null;

/** Who turns (code, language) into tokens: the worker, or in unit tests (no Worker in Node) a stand-in. */
export function setHighlightRunner(run) {
  runner = { run };
}

/** Colours `codeNode` (a <code> holding `code` as text) once the worker answers; resolves to whether it did. */
export async function highlightInto(codeNode, code, language) {
  if (!highlightedLanguages().includes(language) || code.length > HIGHLIGHT_MAX_CHARS) return false;
  runner ??= new WorkerRunner();
  const nodes = nodesFromTokens(await runner.run(code, language));
  if (!nodes || nodes.textContent !== code || codeNode.textContent !== code) return false;
  codeNode.replaceChildren(nodes);
  codeNode.classList.add("hljs");
  return true;
}
