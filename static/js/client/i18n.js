// The client's words in the person's language. Django compiles locale/<lang>/LC_MESSAGES/djangojs.po and the
// page embeds the catalog as JSON (#i18n-catalog); the Content-Security-Policy allows no eval, so the plural
// form comes from Intl.PluralRules instead of the catalog's C expression. A missing entry falls back to the
// English text, never to an error.

let catalog = {};
let pluralRules = new Intl.PluralRules("en");

/** The page's language (the <html lang> Django set), for Intl formatting. */
export let language = "en";

/** Take a catalog: {language, catalog} as slackclone.i18n.client_catalog builds it. */
export function setCatalog(data) {
  catalog = (data && typeof data.catalog === "object" && data.catalog) || {};
  language = data?.language || "en";
  try {
    pluralRules = new Intl.PluralRules(language);
  } catch {
    pluralRules = new Intl.PluralRules("en");
  }
}

function readPageCatalog() {
  if (typeof document === "undefined" || typeof document.getElementById !== "function") return;
  const node = document.getElementById("i18n-catalog");
  if (!node) return;
  try {
    setCatalog(JSON.parse(node.textContent));
  } catch {
    setCatalog(null);
  }
}

readPageCatalog();

export function gettext(msgid) {
  const entry = catalog[msgid];
  if (typeof entry === "string" && entry) return entry;
  return msgid;
}

// The order of each language's plural forms in its catalog (its Plural-Forms header), by Intl's category names.
const PLURAL_ORDER = { es: ["one", "many", "other"] };

/** gettext's plural forms; `n` picks one (English's rule when the catalog has none). */
export function ngettext(singular, plural, n) {
  const entry = catalog[singular];
  const order = PLURAL_ORDER[language] || ["one", "other"];
  const category = pluralRules.select(n);
  const index = order.includes(category) ? order.indexOf(category) : order.length - 1;
  if (Array.isArray(entry) && entry[index]) return entry[index];
  return n === 1 ? singular : plural;
}

/** A msgid that reads differently by context ("Close" a dialog, "Close" a channel). */
export function pgettext(context, msgid) {
  const entry = catalog[`${context}\x04${msgid}`];
  return typeof entry === "string" && entry ? entry : msgid;
}

/** Django's named placeholders: interpolate("%(name)s joined", {name: "Ana"}). Unknown names stay as written. */
export function interpolate(format, params) {
  return format.replace(/%\((\w+)\)s/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** interpolate for an element's children: fill("%(name)s joined", {name: node}) → [node, " joined"]. */
export function fill(format, params) {
  const parts = [];
  let last = 0;
  for (const match of format.matchAll(/%\((\w+)\)s/g)) {
    parts.push(format.slice(last, match.index));
    parts.push(Object.hasOwn(params, match[1]) ? params[match[1]] : match[0]);
    last = match.index + match[0].length;
  }
  parts.push(format.slice(last));
  return parts.filter((part) => part !== "");
}
