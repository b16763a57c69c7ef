// The highlighting worker: highlight.js runs here, off the page's thread, because some grammars take time
// that grows faster than the code on hostile input; the page ends a job that runs too long (highlight.js).
// Messages: {id, code, language} in; {id, loaded: true} once the language is ready, then {id, tokens} out.

import { loadLanguage, tokensOf } from "./highlight-languages.js";

self.onmessage = async ({ data }) => {
  const { id, code, language } = data || {};
  try {
    const hljs = await loadLanguage(language);
    self.postMessage({ id, loaded: true });
    self.postMessage({ id, tokens: tokensOf(hljs, String(code), language) });
  } catch {
    self.postMessage({ id, tokens: null });
  }
};
