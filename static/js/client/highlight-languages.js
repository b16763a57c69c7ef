// The languages ```fences may name and the highlight.js grammars that colour them (static/js/vendor/highlight/,
// copied from the pinned @highlightjs/cdn-assets package by `make vendor`). No DOM here: the highlighting worker
// (highlight-worker.js) runs highlight.js with this module, and the page asks it only which names are languages.

// The languages a fence may name, each with the names people type for it. A test keeps these and the
// vendored files the same, and chat.markup.blocks.FENCE_LANGUAGES the same as every name here.
const LANGUAGES = {
  bash: ["sh", "zsh"],
  c: ["h"],
  cpp: ["cc", "c++", "h++", "hpp", "hh", "hxx", "cxx"],
  csharp: ["cs", "c#"],
  css: [],
  diff: ["patch"],
  dockerfile: ["docker"],
  go: ["golang"],
  ini: ["toml"],
  java: ["jsp"],
  javascript: ["js", "jsx", "mjs", "cjs"],
  json: ["jsonc", "json5"],
  kotlin: ["kt", "kts"],
  makefile: ["mk", "mak", "make"],
  markdown: ["md", "mkd"],
  php: [],
  python: ["py", "python3", "py3", "gyp", "ipython"],
  ruby: ["rb", "gemspec", "podspec", "irb"],
  rust: ["rs"],
  scss: [],
  shell: ["console", "shellsession"],
  sql: [],
  swift: [],
  typescript: ["ts", "tsx", "mts", "cts"],
  xml: ["html", "xhtml", "svg", "rss", "atom", "xsd", "xsl", "plist"],
  yaml: ["yml"],
};
/** Names that mark a block as plain text on purpose: the hint is dropped, nothing is coloured. */
const PLAIN = ["text", "txt", "plain", "plaintext", "output", "log"];

// Literal import() calls, so collectstatic's manifest storage rewrites each to its hashed file name.
const LOADERS = {
  bash: () => import("../vendor/highlight/languages/bash.min.js"),
  c: () => import("../vendor/highlight/languages/c.min.js"),
  cpp: () => import("../vendor/highlight/languages/cpp.min.js"),
  csharp: () => import("../vendor/highlight/languages/csharp.min.js"),
  css: () => import("../vendor/highlight/languages/css.min.js"),
  diff: () => import("../vendor/highlight/languages/diff.min.js"),
  dockerfile: () => import("../vendor/highlight/languages/dockerfile.min.js"),
  go: () => import("../vendor/highlight/languages/go.min.js"),
  ini: () => import("../vendor/highlight/languages/ini.min.js"),
  java: () => import("../vendor/highlight/languages/java.min.js"),
  javascript: () => import("../vendor/highlight/languages/javascript.min.js"),
  json: () => import("../vendor/highlight/languages/json.min.js"),
  kotlin: () => import("../vendor/highlight/languages/kotlin.min.js"),
  makefile: () => import("../vendor/highlight/languages/makefile.min.js"),
  markdown: () => import("../vendor/highlight/languages/markdown.min.js"),
  php: () => import("../vendor/highlight/languages/php.min.js"),
  python: () => import("../vendor/highlight/languages/python.min.js"),
  ruby: () => import("../vendor/highlight/languages/ruby.min.js"),
  rust: () => import("../vendor/highlight/languages/rust.min.js"),
  scss: () => import("../vendor/highlight/languages/scss.min.js"),
  shell: () => import("../vendor/highlight/languages/shell.min.js"),
  sql: () => import("../vendor/highlight/languages/sql.min.js"),
  swift: () => import("../vendor/highlight/languages/swift.min.js"),
  typescript: () => import("../vendor/highlight/languages/typescript.min.js"),
  xml: () => import("../vendor/highlight/languages/xml.min.js"),
  yaml: () => import("../vendor/highlight/languages/yaml.min.js"),
};

const BY_NAME = new Map();
for (const [language, aliases] of Object.entries(LANGUAGES)) {
  for (const name of [language, ...aliases]) BY_NAME.set(name, language);
}
for (const name of PLAIN) BY_NAME.set(name, "plaintext");

/** The language a fence's hint names ("py" → "python", "text" → "plaintext"), or null if it names none. */
export function fenceLanguage(hint) {
  return BY_NAME.get(String(hint).toLowerCase()) ?? null;
}

/** Every name a fence may carry (the canonical names and their aliases), for the server's copy of the table. */
export function fenceNames() {
  return [...BY_NAME.keys()];
}

/** The languages with colours, each one vendored file. */
export function highlightedLanguages() {
  return Object.keys(LANGUAGES);
}

let core = null;
const loaded = new Map();

/** The highlighter with `language` registered (each loaded once, on first use). */
export async function loadLanguage(language) {
  core ??= import("../vendor/highlight/core.min.js").then((module) => module.default);
  if (!loaded.has(language)) {
    loaded.set(
      language,
      Promise.all([core, LOADERS[language]()]).then(([hljs, grammar]) => {
        hljs.registerLanguage(language, grammar.default);
        return hljs;
      }),
    );
  }
  return loaded.get(language);
}

/** An open scope in a token list; the token 0 closes the latest one, a string is text. */
const CLOSE = 0;

/**
 * highlight.js's result for `code` as a flat token list (strings, {scope} and CLOSE), read from its token tree
 * with a stack of our own (a tree may be as deep as the code is long), never from its HTML.
 */
export function tokensOf(hljs, code, language) {
  const result = hljs.highlight(code, { language, ignoreIllegals: true });
  const root = result?._emitter?.rootNode;
  if (!root || !Array.isArray(root.children)) return null;
  const tokens = [];
  const stack = [{ node: root, index: 0 }];
  while (stack.length) {
    const top = stack.at(-1);
    const child = Array.isArray(top.node.children) ? top.node.children[top.index++] : undefined;
    if (child === undefined) {
      stack.pop();
      if (stack.length) tokens.push(CLOSE);
    } else if (typeof child === "string") tokens.push(child);
    else if (child && typeof child === "object") {
      tokens.push({ scope: typeof child.scope === "string" ? child.scope : "" });
      stack.push({ node: child, index: 0 });
    }
  }
  return tokens;
}
