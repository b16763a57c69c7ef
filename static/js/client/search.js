// The search view (Slack's modifiers, highlighted snippets) and the mentions view, shown in place of
// the channel; each result opens the message in its channel.

import { h } from "./dom.js";
import { emojiChar } from "./emoji.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { decodeEntities, renderMarkdown } from "./markdown.js";
import { avatar } from "./render/avatar.js";
import { fullDate, relative } from "./time.js";

const HIT_START = "\ue000";
const HIT_STOP = "\ue001";

/** Slack markup in a snippet as people read it: names for <@U…>, <#C…> and <!subteam^S…>, emoji for :shortcodes:.
 * A label never holds "<" or ">", so no match runs past the next "<" and each pass is linear in the text. */
function readable(text, app) {
  return decodeEntities(
    text
      .replace(/<@([UB][A-Z0-9]+)(?:\|[^<>]*)?>/g, (_whole, id) => `@${app.markdownContext.userName(id)}`)
      .replace(
        /<#([A-Z0-9]+)(?:\|([^<>]*))?>/g,
        (_whole, id, label) => `#${app.markdownContext.channelName(id, label)}`,
      )
      .replace(/<!(here|channel|everyone)[^<>]*>/g, "@$1")
      .replace(
        /<!subteam\^([A-Z0-9]+)(?:\|([^<>]*))?>/g,
        (_whole, id, label) => `@${app.markdownContext.usergroupHandle(id, label)}`,
      )
      .replace(/<((?:https?|mailto):[^|<>]+)(?:\|([^<>]*))?>/g, (_whole, url, label) => label || url)
      .replace(/:([a-z0-9_+'-]+):/g, (whole, name) => emojiChar(name) || whole),
  );
}

/** A snippet with its hits (marked by the server with private-use characters) as <mark>, as text nodes. */
export function highlighted(snippet, app) {
  const node = h("p", { class: "result__snippet" });
  let rest = snippet;
  while (rest) {
    const start = rest.indexOf(HIT_START);
    if (start < 0) break;
    const stop = rest.indexOf(HIT_STOP, start);
    if (stop < 0) break;
    node.append(readable(rest.slice(0, start), app), h("mark", {}, readable(rest.slice(start + 1, stop), app)));
    rest = rest.slice(stop + 1);
  }
  node.append(readable(rest.replaceAll(HIT_START, "").replaceAll(HIT_STOP, ""), app));
  return node;
}

export class SearchView {
  constructor(app) {
    this.app = app;
    this.root = document.getElementById("search-view");
  }

  result(message, channel, snippetNode) {
    const { store } = this.app;
    const where = channel ? (channel.is_im || channel.is_mpim ? store.channelTitle(channel) : `#${channel.name}`) : "";
    return h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "result", onclick: () => this.app.openChannel(message.channel, { ts: message.ts }) },
        avatar(store.user(message.user), "sm"),
        h(
          "span",
          { class: "result__body" },
          h(
            "span",
            { class: "result__meta" },
            h("strong", {}, store.displayName(message.user)),
            h("span", { class: "muted" }, ` ${interpolate(gettext("in %(where)s"), { where })} · `),
            h("time", { class: "muted", title: fullDate(message.ts) }, relative(message.ts)),
          ),
          snippetNode,
        ),
      ),
    );
  }

  async search(query) {
    const { app } = this;
    app.showView("search");
    const list = h(
      "ul",
      { class: "results", "aria-live": "polite" },
      h("li", { class: "loading" }, gettext("Searching…")),
    );
    this.root.replaceChildren(
      h(
        "header",
        { class: "view-header" },
        h("h1", {}, gettext("Search results")),
        h(
          "p",
          { class: "muted small" },
          interpolate(gettext("Modifiers: %(modifiers)s"), {
            modifiers: `in:#channel from:@person from:me before:/after:/on: YYYY-MM-DD has:link has:file has:reaction has:pin is:thread "${gettext("exact phrase")}" -exclude`,
          }),
        ),
      ),
      list,
    );
    document.title = `${interpolate(gettext("Search: %(query)s"), { query })} · ${app.store.workspace.name}`;
    try {
      const data = await app.api.get(`workspaces/${app.store.workspace.id}/search`, { q: query, limit: 50 });
      list.replaceChildren(...data.matches.map((m) => this.result(m.message, m.channel, highlighted(m.snippet, app))));
      if (!data.matches.length)
        list.replaceChildren(
          h("li", { class: "empty-state" }, interpolate(gettext("No messages match “%(query)s”."), { query })),
        );
      const count = data.matches.length;
      app.announce(
        interpolate(ngettext("%(count)s result for %(query)s", "%(count)s results for %(query)s", count), {
          count,
          query,
        }),
      );
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
    }
  }

  async mentions() {
    const { app } = this;
    app.showView("mentions");
    const list = h("ul", { class: "results" }, h("li", { class: "loading" }, gettext("Loading…")));
    this.root.replaceChildren(h("header", { class: "view-header" }, h("h1", {}, gettext("Mentions"))), list);
    document.title = `${gettext("Mentions")} · ${app.store.workspace.name}`;
    try {
      const data = await app.api.get(`workspaces/${app.store.workspace.id}/mentions`, { limit: 50 });
      list.replaceChildren(
        ...data.messages.map((m) =>
          this.result(
            m,
            app.store.channels.get(m.channel),
            h("div", { class: "result__snippet" }, renderMarkdown(m.text, app.markdownContext)),
          ),
        ),
      );
      if (!data.messages.length)
        list.replaceChildren(h("li", { class: "empty-state" }, gettext("Nobody has mentioned you yet.")));
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
    }
  }
}
