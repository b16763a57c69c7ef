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
