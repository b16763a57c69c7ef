// The few DOM calls the client's renderers make (createElement, createTextNode, fragments, append,
// attributes, dataset, textContent), enough to run them under `node --test` without a browser or jsdom,
// and `html(node)` to read what they built. Text is escaped on the way out exactly as a browser's
// innerHTML would, so a test sees whether user text became markup.

const VOID = new Set(["br", "hr", "img", "input"]);

class Node {
  constructor() {
    this.childNodes = [];
    this.parentNode = null;
  }

  get firstChild() {
    return this.childNodes[0] ?? null;
  }

  get textContent() {
    return this.childNodes.map((child) => child.textContent).join("");
  }

  set textContent(value) {
    this.replaceChildren(String(value));
  }

  append(...nodes) {
    for (const node of nodes) {
      if (node instanceof DocumentFragment) this.append(...node.childNodes);
      else {
        const child = node instanceof Node ? node : new Text(String(node));
        child.remove();
        child.parentNode = this;
        this.childNodes.push(child);
      }
    }
  }

  replaceChildren(...nodes) {
    for (const child of [...this.childNodes]) child.remove();
    this.append(...nodes);
  }

  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }
}

class Text extends Node {
  constructor(data) {
    super();
    this.data = data;
  }

  get textContent() {
    return this.data;
  }
}

class DocumentFragment extends Node {}

class Element extends Node {
  constructor(tag) {
    super();
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.listeners = [];
    this.dataset = new Proxy(
      {},
      {
        set: (target, key, value) => {
          target[key] = String(value);
          this.setAttribute(`data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
          return true;
        },
      },
    );
  }

  get className() {
    return this.getAttribute("class") ?? "";
  }

  set className(value) {
    this.setAttribute("class", value);
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  getAttribute(name) {
    return this.attributes.get(name) ?? null;
  }

  addEventListener(type, listener) {
    this.listeners.push({ type, listener });
  }

  removeAttribute(name) {
    this.attributes.delete(name);
  }

  hasAttribute(name) {
    return this.attributes.has(name);
  }

  get style() {
    this._style ??= {};
    return this._style;
  }

  get classList() {
    const names = () => this.className.split(/\s+/).filter(Boolean);
    return {
      contains: (name) => names().includes(name),
      add: (name) => !names().includes(name) && this.setAttribute("class", [...names(), name].join(" ")),
      remove: (name) =>
        this.setAttribute(
          "class",
          names()
            .filter((n) => n !== name)
            .join(" "),
        ),
    };
  }

  get id() {
    return this.getAttribute("id") ?? "";
  }

  set id(value) {
    this.setAttribute("id", value);
  }

  /** A form control's value as a browser reflects it: set directly, else the value attribute. */
  get value() {
    return this._value ?? this.getAttribute("value") ?? "";
  }

  set value(value) {
    this._value = String(value);
  }

  get disabled() {
    return this._disabled ?? this.hasAttribute("disabled");
  }

  set disabled(value) {
    this._disabled = Boolean(value);
  }

  /** Options of a <select> that are chosen: picked by a test (`option.selected = true`) or marked selected. */
  get selectedOptions() {
    return this.querySelectorAll("option").filter((option) => option.selected ?? option.hasAttribute("selected"));
  }

  /** Every element below this one, in document order. */
  descendants() {
    return this.childNodes.flatMap((child) => (child instanceof Element ? [child, ...child.descendants()] : []));
  }

  /**
   * The selectors the client's renderers use: compounds of tag, .class, [attr], [attr="v"] and :checked,
   * joined by descendant and child (>) combinators, comma lists, and :scope for this element.
   */
  querySelectorAll(selector) {
    const chains = selector.split(",").map((one) =>
      one
        .trim()
        .replace(/\s*>\s*/g, " > ")
        .split(/\s+/),
    );
    return this.descendants().filter((node) => chains.some((chain) => matchesChain(node, chain, this)));
  }

  querySelector(selector) {
    return this.querySelectorAll(selector)[0] ?? null;
  }

  closest(selector) {
    for (let node = this; node instanceof Element; node = node.parentNode) if (matches(node, selector)) return node;
    return null;
  }

  /** Call the listeners for `type` as a browser would on that event (an object with type and target). */
  dispatch(type) {
    return Promise.all(
      this.listeners.filter((entry) => entry.type === type).map((entry) => entry.listener({ type, target: this })),
    );
  }
}

/** Whether `node` matches the compounds and combinators of `chain` (read right to left), within `scope`. */
function matchesChain(node, chain, scope) {
  const last = chain.at(-1);
  if (!(last === ":scope" ? node === scope : node instanceof Element && matches(node, last))) return false;
  if (chain.length === 1) return true;
  if (chain.at(-2) === ">") return matchesChain(node.parentNode, chain.slice(0, -2), scope);
  const rest = chain.slice(0, -1);
  for (let up = node.parentNode; up; up = up.parentNode) if (matchesChain(up, rest, scope)) return true;
  return false;
}

function matches(node, selector) {
  const pattern = /^([a-z0-9]+)|\.([\w-]+)|\[([\w-]+)(?:="([^"]*)")?\]|:(checked)/gi;
  let rest = selector;
  for (const part of selector.match(pattern) || []) rest = rest.replace(part, "");
  if (rest.trim()) throw new Error(`selector not supported by the test DOM: ${selector}`);
  for (const [, tag, cls, attr, value, pseudo] of selector.matchAll(pattern)) {
    if (tag && node.tagName !== tag.toUpperCase()) return false;
    if (cls && !node.classList.contains(cls)) return false;
    if (attr && (!node.hasAttribute(attr) || (value !== undefined && node.getAttribute(attr) !== value))) return false;
    if (pseudo && !node.checked) return false;
  }
  return true;
}

const escapeText = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttribute = (text) => escapeText(text).replace(/"/g, "&quot;");

/** The markup a browser's innerHTML (of a fragment: outerHTML of each child) would show. */
export function html(node) {
  if (node instanceof Text) return escapeText(node.data);
  const inner = node.childNodes.map(html).join("");
  if (!(node instanceof Element)) return inner;
  const tag = node.tagName.toLowerCase();
  const attributes = [...node.attributes].map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join("");
  return VOID.has(tag) ? `<${tag}${attributes}>` : `<${tag}${attributes}>${inner}</${tag}>`;
}

/** Put `document`, `Node` and `location` where the client's modules look for them. */
export function installDom({ origin = "https://chat.example" } = {}) {
  globalThis.Node = Node;
  globalThis.location = { origin };
  globalThis.document = {
    createElement: (tag) => new Element(tag),
    createElementNS: (_namespace, tag) => new Element(tag),
    createTextNode: (data) => new Text(String(data)),
    createDocumentFragment: () => new DocumentFragment(),
  };
}
