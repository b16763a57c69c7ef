import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { TYPING_PAUSE_MS } from "../static/js/client/render/block-elements.js";
import { collectState, renderAttachments, renderBlocks } from "../static/js/client/render/blocks.js";
import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });

const CORPUS = JSON.parse(readFileSync(new URL("../chat/tests/browser/blockkit_corpus.json", import.meta.url)));
const PEOPLE = { U1: "ada", U2: "grace" };
const CHANNELS = { C1: "general", D1: "" };
const markdownContext = {
  meId: "U1",
  userName: (id, label) => PEOPLE[id] || label || id,
  channelName: (id, label) => CHANNELS[id] || label || id,
  channelHref: (id) => `/client/W1/${id}`,
  usergroupHandle: (id, label) => ({ S1: "design" })[id] || label || id,
  inUsergroup: () => false,
};

function context(onAction = null) {
  return {
    markdownContext,
    people: () => Object.entries(PEOPLE),
    conversations: (channelsOnly) =>
      Object.entries(CHANNELS)
        .filter(([id]) => !channelsOnly || id.startsWith("C"))
        .map(([id, name]) => [id, name ? `#${name}` : "a DM"]),
    onAction,
  };
}

const render = (blocks, ctx = context()) => renderBlocks(blocks, ctx);
const out = (blocks) => html(render(blocks));
const plain = (text) => ({ type: "plain_text", text });
const mrkdwn = (text) => ({ type: "mrkdwn", text });
const option = (text, value) => ({ text: plain(text), value });
const byAction = (root, id) => root.querySelector(`[data-action-id="${id}"]`);

describe("layout blocks", () => {
  test("a section shows mrkdwn text, fields in a grid and its accessory", () => {
    const root = render([
      {
        type: "section",
        block_id: "s",
        text: mrkdwn("*Deploy* to <#C1> by <@U2>"),
        fields: [mrkdwn("*Env*\nprod"), plain("Owner")],
        accessory: { type: "button", action_id: "go", text: plain("Go"), value: "1" },
      },
    ]);
    const markup = html(root);
    assert.match(markup, /<strong>Deploy<\/strong>/);
    assert.match(markup, /#general/);
    assert.match(markup, /@grace/);
    assert.equal(root.querySelectorAll(".bk-fields .bk-field").length, 2);
    assert.equal(root.querySelector(".bk-accessory button").textContent, "Go");
  });

  test("header, divider, context and image", () => {
    const root = render([
      { type: "header", text: plain("Report :tada:") },
      { type: "divider" },
      {
        type: "context",
        elements: [{ type: "image", image_url: "https://chat.example/a.png", alt_text: "me" }, mrkdwn("by _ada_")],
      },
      { type: "image", title: plain("Chart"), image_url: "https://chat.example/c.png", alt_text: "A chart" },
    ]);
    assert.equal(root.querySelector(".bk-header").getAttribute("role"), "heading");
    assert.match(root.querySelector(".bk-header").textContent, /Report 🎉/);
    assert.ok(root.querySelector("hr.bk-divider"));
    assert.match(html(root.querySelector(".bk-block--context")), /<em>ada<\/em>/);
    const image = root.querySelector("img.bk-image");
    assert.equal(image.getAttribute("src"), "https://chat.example/c.png");
    assert.equal(image.getAttribute("alt"), "A chart");
    assert.equal(root.querySelector(".bk-image__title").textContent, "Chart");
  });

  test("an image elsewhere becomes a link to it, and a javascript: or data: image is only its alt text", () => {
    const markup = out([
      { type: "image", image_url: "https://cdn.example/c.png", alt_text: "far" },
      { type: "image", image_url: "javascript:alert(1)", alt_text: "js" },
      { type: "image", image_url: "data:text/html,<script>x</script>", alt_text: "data" },
    ]);
    assert.match(markup, /<a class="bk-image-link" href="https:\/\/cdn.example\/c.png"[^>]*rel="noopener noreferrer"/);
    assert.doesNotMatch(markup, /<img/);
    assert.doesNotMatch(markup, /javascript:|data:/);
    assert.match(markup, />js</);
  });

  test("rich text: sections with styles, nested lists, quotes, code, links, mentions and emoji", () => {
    const root = render([
      {
        type: "rich_text",
        elements: [
          {
            type: "rich_text_section",
            elements: [
              { type: "text", text: "bold", style: { bold: true } },
              { type: "text", text: "it", style: { italic: true, strike: true } },
              { type: "text", text: "x()", style: { code: true } },
              { type: "link", url: "https://example.com", text: "site" },
              { type: "link", url: "javascript:alert(1)", text: "bad" },
              { type: "user", user_id: "U1" },
              { type: "usergroup", usergroup_id: "S1" },
              { type: "channel", channel_id: "C1" },
              { type: "broadcast", range: "here" },
              { type: "emoji", name: "tada" },
              { type: "date", timestamp: 1764930000, format: "{date_short}", fallback: "Dec 5" },
              { type: "date", timestamp: "soon", fallback: "some day" },
              { type: "color", value: "#36a64f" },
            ],
          },
          { type: "rich_text_list", style: "ordered", elements: [rs("one"), rs("two")] },
          { type: "rich_text_list", style: "ordered", indent: 1, offset: 2, border: 1, elements: [rs("c")] },
          { type: "rich_text_list", style: "bullet", indent: 1, elements: [rs("nested")] },
          { type: "rich_text_quote", elements: [{ type: "text", text: "quoted" }] },
          { type: "rich_text_preformatted", elements: [{ type: "text", text: "<pre>" }] },
        ],
      },
    ]);
    const markup = html(root);
    assert.match(markup, /<strong>bold<\/strong>/);
    assert.match(markup, /<s><em>it<\/em><\/s>/);
    assert.match(markup, /<code class="md-code">x\(\)<\/code>/);
    assert.match(markup, /href="https:\/\/example.com\/"[^>]*>site</);
    assert.doesNotMatch(markup, /javascript:/);
    assert.match(markup, /class="mention mention--me" data-user="U1">@ada</);
    assert.match(markup, /@design/);
    assert.match(markup, /<a class="channel-link" href="\/client\/W1\/C1"[^>]*>#general</);
    assert.match(markup, /@here/);
    assert.match(markup, /🎉/);
    assert.equal(root.querySelectorAll("ol.bk-rt-indent-0 li").length, 2);
    assert.ok(root.querySelector("ul.bk-rt-indent-1"));
    const continued = root.querySelector("ol.bk-rt-indent-1");
    assert.equal(continued.getAttribute("start"), "3", "an offset list goes on counting");
    assert.match(continued.className, /bk-rt-list--border/);
    assert.match(markup, /<time datetime="2025-12-05T10:20:00.000Z">/);
    assert.match(markup, /some day/);
    assert.match(markup, /<span class="bk-rt-color">#36a64f<\/span>/);
    assert.match(markup, /<blockquote class="md-quote"><span>quoted<\/span><\/blockquote>/);
    assert.match(markup, /<pre class="md-pre"><code>&lt;pre&gt;<\/code><\/pre>/);
  });

  test("a mention with an id that is not an id shows nothing rather than markup", () => {
    const markup = out([{ type: "rich_text", elements: [rs(null, [{ type: "user", user_id: "U1><script>" }])] }]);
    assert.doesNotMatch(markup, /<script/);
  });
});

function rs(text, elements = [{ type: "text", text }]) {
  return { type: "rich_text_section", elements };
}

describe("text objects", () => {
  test("mrkdwn renders Slack's markup; plain_text stays literal with emoji", () => {
    const markup = out([
      { type: "section", text: mrkdwn("*b* _i_ ~s~ `c` <https://x.example|label> <!here> :tada:\n> quote") },
      { type: "section", text: mrkdwn("```\n*not bold*\n```") },
      { type: "section", text: { type: "plain_text", text: "*not bold* :tada:", emoji: true } },
    ]);
    assert.match(markup, /<strong>b<\/strong> <em>i<\/em> <s>s<\/s> <code class="md-code">c<\/code>/);
    assert.match(markup, /<a href="https:\/\/x.example\/"[^>]*>label<\/a>/);
    assert.match(markup, /@here/);
    assert.match(markup, /<blockquote class="md-quote">quote<\/blockquote>/);
    assert.match(markup, /<pre class="md-pre"><code>\*not bold\*<\/code><\/pre>/);
    assert.match(markup, /\*not bold\* 🎉/);
  });

  test("markup in any text field is text", () => {
    const evil = "<img src=x onerror=alert(1)><script>alert(1)</script>";
    const root = render([
      { type: "header", text: plain(evil) },
      { type: "section", text: mrkdwn(evil), fields: [plain(evil)] },
      { type: "actions", elements: [{ type: "button", action_id: "b", text: plain(evil) }] },
      { type: "input", label: plain(evil), element: { type: "plain_text_input", action_id: "t" } },
    ]);
    const markup = html(root);
    assert.doesNotMatch(markup, /<img|<script/);
    assert.equal(root.querySelector(".bk-header").textContent, evil);
  });
});

describe("interactive elements", () => {
  const blocks = [
    {
      type: "actions",
      block_id: "a",
      elements: [
        { type: "button", action_id: "ok", text: plain("OK"), style: "primary", value: "1" },
        { type: "button", action_id: "no", text: plain("No"), style: "danger" },
        { type: "button", action_id: "docs", text: plain("Docs"), url: "https://example.com/d" },
        { type: "button", action_id: "evil", text: plain("Evil"), url: "javascript:alert(1)" },
        { type: "button", action_id: "mail", text: plain("Mail"), url: "mailto:a@example.com" },
        {
          type: "static_select",
          action_id: "env",
          placeholder: plain("Env"),
          option_groups: [{ label: plain("Kinds"), options: [option("Staging", "s"), option("Prod", "p")] }],
          initial_option: option("Prod", "p"),
        },
        { type: "multi_static_select", action_id: "tags", options: [option("Bug", "bug"), option("Idea", "idea")] },
        { type: "users_select", action_id: "who", initial_user: "U2" },
        { type: "conversations_select", action_id: "where" },
        { type: "channels_select", action_id: "chan" },
        { type: "overflow", action_id: "more", options: [option("Edit", "edit")] },
        { type: "datepicker", action_id: "day", initial_date: "2026-12-05" },
        { type: "timepicker", action_id: "at", initial_time: "09:30" },
      ],
    },
    {
      type: "input",
      block_id: "in",
      label: plain("Note"),
      hint: plain("Say why"),
      optional: true,
      element: {
        type: "plain_text_input",
        action_id: "note",
        multiline: true,
        min_length: 2,
        max_length: 50,
        placeholder: plain("Type"),
        initial_value: "hi",
      },
    },
    {
      type: "section",
      block_id: "c",
      text: plain("Pick"),
      accessory: {
        type: "checkboxes",
        action_id: "checks",
        options: [{ ...option("One", "1"), description: mrkdwn("*first*") }, option("Two", "2")],
      },
    },
    {
      type: "input",
      block_id: "r",
      label: plain("Size"),
      element: { type: "radio_buttons", action_id: "size", options: [option("S", "s"), option("L", "l")] },
    },
  ];

  test("native controls with styles, labels and safe links", () => {
    const root = render(blocks);
    assert.equal(byAction(root, "ok").tagName, "BUTTON");
    assert.match(byAction(root, "ok").className, /bk-button--primary/);
    assert.match(byAction(root, "no").className, /bk-button--danger/);
    const docs = byAction(root, "docs");
    assert.equal(docs.tagName, "A");
    assert.equal(docs.getAttribute("target"), "_blank");
    assert.equal(docs.getAttribute("rel"), "noopener noreferrer");
    assert.equal(byAction(root, "evil").tagName, "BUTTON", "a javascript: url button is a plain button");
    assert.equal(byAction(root, "mail").tagName, "BUTTON", "a button opens http(s) links only");
    assert.doesNotMatch(html(root), /javascript:/);
    assert.equal(byAction(root, "env").querySelectorAll("optgroup").length, 1);
    assert.equal(byAction(root, "tags").hasAttribute("multiple"), true);
    assert.equal(byAction(root, "who").querySelectorAll("option").length, 3);
    assert.equal(byAction(root, "where").querySelectorAll("option").length, 3);
    assert.equal(byAction(root, "chan").querySelectorAll("option").length, 2, "channels only");
    assert.equal(byAction(root, "day").getAttribute("type"), "date");
    assert.equal(byAction(root, "at").getAttribute("type"), "time");
    const note = byAction(root, "note");
    assert.equal(note.tagName, "TEXTAREA");
    assert.equal(note.getAttribute("minlength"), "2");
    assert.equal(note.getAttribute("maxlength"), "50");
    assert.equal(note.getAttribute("placeholder"), "Type");
    assert.equal(note.getAttribute("aria-describedby"), `${note.id}-hint`);
    assert.equal(root.querySelector(`label[for="${note.id}"]`).textContent, "Note (optional)");
    assert.equal(byAction(root, "size").querySelectorAll("input").length, 2);
    assert.match(html(byAction(root, "checks")), /<span class="bk-choice__hint"><strong>first<\/strong><\/span>/);
    assert.equal(byAction(root, "size").getAttribute("aria-required"), "true");
    assert.equal(byAction(root, "checks").querySelector("legend").textContent, "Pick", "named by the section's text");
  });

  test("collectState reads every input in Slack's state.values shape", () => {
    const root = render(blocks);
    byAction(root, "tags").querySelectorAll("option")[1].selected = true;
    byAction(root, "where").querySelector('option[value="C1"]').selected = true;
    byAction(root, "checks").querySelectorAll("input")[1].checked = true;
    byAction(root, "size").querySelectorAll("input")[0].checked = true;
    byAction(root, "note").value = "because";
    assert.deepEqual(collectState(root), {
      a: {
        env: { type: "static_select", selected_option: option("Prod", "p") },
        tags: { type: "multi_static_select", selected_options: [option("Idea", "idea")] },
        who: { type: "users_select", selected_user: "U2" },
        where: { type: "conversations_select", selected_conversation: "C1" },
        chan: { type: "channels_select", selected_channel: null },
        day: { type: "datepicker", selected_date: "2026-12-05" },
        at: { type: "timepicker", selected_time: "09:30" },
      },
      in: { note: { type: "plain_text_input", value: "because" } },
      c: { checks: { type: "checkboxes", selected_options: [option("Two", "2")] } },
      r: { size: { type: "radio_buttons", selected_option: option("S", "s") } },
    });
  });

  test("a click sends the action with its value and text, and the state", async () => {
    const sent = [];
    const root = render(
      blocks,
      context(async (action, state) => sent.push({ action, state })),
    );
    await byAction(root, "ok").dispatch("click");
    assert.deepEqual(sent[0].action, { action_id: "ok", block_id: "a", type: "button", text: plain("OK"), value: "1" });
    assert.equal(sent[0].state.values.in.note.value, "hi");
    await byAction(root, "day").dispatch("change");
    assert.deepEqual(sent[1].action, {
      action_id: "day",
      block_id: "a",
      type: "datepicker",
      selected_date: "2026-12-05",
    });
    const choose = byAction(root, "more").querySelector("button.bk-overflow__item");
    await choose.dispatch("click");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent[2].action, {
      action_id: "more",
      block_id: "a",
      type: "overflow",
      selected_option: option("Edit", "edit"),
    });
  });

  test("an input block's control sends only when the block has dispatch_action, a text input when committed", async () => {
    const sent = [];
    const root = render(
      [
        {
          type: "input",
          block_id: "quiet",
          label: plain("Env"),
          element: { type: "static_select", action_id: "env", options: [option("Prod", "p")] },
        },
        {
          type: "input",
          block_id: "loud",
          dispatch_action: true,
          label: plain("Env"),
          element: { type: "static_select", action_id: "env2", options: [option("Prod", "p")] },
        },
        {
          type: "input",
          block_id: "search",
          dispatch_action: true,
          label: plain("Search"),
          element: { type: "plain_text_input", action_id: "q" },
        },
        {
          type: "input",
          block_id: "note",
          label: plain("Note"),
          element: { type: "plain_text_input", action_id: "n" },
        },
      ],
      context(async (action) => sent.push(action)),
    );
    const quiet = byAction(root, "env");
    quiet.querySelector(`option[value="p"]`).selected = true;
    await quiet.dispatch("change");
    await byAction(root, "n").dispatch("input");
    await byAction(root, "n").dispatch("change");
    assert.deepEqual(sent, [], "no dispatch_action: the value waits for a submission");
    const loud = byAction(root, "env2");
    loud.querySelector(`option[value="p"]`).selected = true;
    await loud.dispatch("change");
    const search = byAction(root, "q");
    search.value = "deploys";
    await search.dispatch("input");
    assert.equal(sent.length, 1, "typing sends nothing");
    await search.dispatch("change");
    assert.deepEqual(
      sent.map((action) => [action.action_id, action.selected_option?.value ?? action.value]),
      [
        ["env2", "p"],
        ["q", "deploys"],
      ],
    );
  });

  test("a text input with on_character_entered sends once typing pauses, not on Enter", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const sent = [];
    const root = render(
      [
        {
          type: "input",
          block_id: "search",
          dispatch_action: true,
          label: plain("Search"),
          element: {
            type: "plain_text_input",
            action_id: "q",
            dispatch_action_config: { trigger_actions_on: ["on_character_entered"] },
          },
        },
      ],
      context(async (action) => sent.push(action.value)),
    );
    const search = byAction(root, "q");
    search.value = "de";
    search.dispatch("input");
    t.mock.timers.tick(TYPING_PAUSE_MS - 1);
    search.value = "deploys";
    search.dispatch("input");
    t.mock.timers.tick(TYPING_PAUSE_MS - 1);
    await search.dispatch("change");
    assert.deepEqual(sent, [], "nothing while typing, nor on Enter");
    t.mock.timers.tick(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, ["deploys"]);
  });

  test("while the app answers the control is busy, and a failure shows under its block", async () => {
    let fail;
    const root = render(
      blocks,
      context(
        () =>
          new Promise((_resolve, reject) => {
            fail = reject;
          }),
      ),
    );
    const button = byAction(root, "ok");
    const done = button.dispatch("click");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(button.disabled, true);
    assert.equal(button.getAttribute("aria-busy"), "true");
    fail(new Error("Deployer did not respond. Try again."));
    await done;
    assert.equal(button.disabled, false);
    assert.equal(button.getAttribute("aria-busy"), null);
    const error = root.querySelector(".bk-block--actions .bk-error");
    assert.equal(error.textContent, "Deployer did not respond. Try again.");
    assert.equal(error.getAttribute("role"), "alert");
  });
});

describe("what the client does not know or cannot read", () => {
  test("an unknown block shows its text or a notice; an unknown element shows a notice; none throws", () => {
    const root = render([
      { type: "video", title: plain("x"), text: plain("A video") },
      { type: "video", title: plain("Launch recording"), alt_text: "a video" },
      { type: "mystery" },
      { type: "actions", elements: [{ type: "workflow_button", text: plain("Run") }, null, 7] },
      null,
      "a string",
      { type: "section", text: "not an object", fields: "nope", accessory: 5 },
      { type: "rich_text", elements: [{ type: "rich_text_list", elements: "x" }, 4, { type: "odd" }] },
      { type: "context", elements: [{ type: "image" }, {}] },
      { type: "toString" },
      { type: "section", block_id: "last", text: plain("still here") },
    ]);
    const markup = html(root);
    assert.match(markup, /A video/);
    assert.match(markup, /This content can(&#39;|')t be displayed\./);
    assert.equal(root.querySelectorAll(".bk > .bk-block, .bk > .bk-fallback").length, 11);
    assert.match(markup, /Launch recording/);
    assert.match(markup, /still here/);
  });

  test("without the client's store (a view on its own) blocks render: mentions by id, empty pickers", async () => {
    const sent = [];
    const root = renderBlocks(
      [
        { type: "section", block_id: "s", text: mrkdwn("*hi* <@U9> in <#C9|ops>") },
        { type: "input", block_id: "i", label: plain("Who"), element: { type: "users_select", action_id: "who" } },
        { type: "actions", block_id: "a", elements: [{ type: "button", action_id: "go", text: plain("Go") }] },
      ],
      { onAction: async (action, state) => sent.push({ action, state }) },
    );
    assert.match(html(root), /<strong>hi<\/strong> <span[^>]*>@U9<\/span> in <a[^>]*>#ops<\/a>/);
    assert.equal(byAction(root, "who").querySelectorAll("option").length, 1);
    await byAction(root, "go").dispatch("click");
    assert.deepEqual(sent[0].state, { values: { i: { who: { type: "users_select", selected_user: null } } } });
    assert.equal(renderBlocks(null).childNodes.length, 0);
  });

  test("deep nesting and fifty blocks render", () => {
    let list = { type: "rich_text_list", style: "bullet", elements: [rs("leaf")] };
    for (let depth = 0; depth < 200; depth += 1) list = { type: "rich_text_list", elements: [list] };
    const many = Array.from({ length: 50 }, (_, index) => ({ type: "section", text: plain(`line ${index}`) }));
    const root = render([{ type: "rich_text", elements: [list] }, ...many]);
    assert.match(html(root), /leaf/);
    assert.equal(root.querySelectorAll(".bk-block--section").length, 50);
  });

  test("every case of the corpus, valid or refused by the server, renders without markup or unsafe links", () => {
    for (const item of [...CORPUS.valid, ...CORPUS.refused]) {
      const markup = [
        item.blocks ? html(render(item.blocks)) : "",
        item.attachments ? html(renderAttachments(item.attachments, context()) ?? { childNodes: [] }) : "",
      ].join("");
      assert.doesNotMatch(markup, /<(script|iframe|object|embed)|<[a-z]+ [^>]*\bon[a-z]+="/i, item.name);
      assert.doesNotMatch(markup, /(href|src)="(javascript|data|vbscript):/i, item.name);
    }
  });
});

describe("legacy attachments", () => {
  test("color bar, pretext, author, title link, text, fields, image and footer", () => {
    const root = renderAttachments(
      [
        {
          color: "danger",
          pretext: "Build *failed*",
          author_name: "CI",
          author_link: "https://ci.example",
          author_icon: "https://chat.example/ci.png",
          title: "Build #42",
          title_link: "https://ci.example/42",
          text: "_main_ is red",
          fields: [
            { title: "Branch", value: "main", short: true },
            { title: "Log", value: "<b>long</b>", short: false },
          ],
          image_url: "https://chat.example/graph.png",
          footer: "CI bot",
          footer_icon: "https://chat.example/f.png",
          ts: "1764930000",
          fallback: "Build failed",
        },
        { color: "#36a64f", text: "plain" },
        { mrkdwn_in: ["fields"], fields: [{ title: "Status", value: "*green*", short: true }] },
        { from_url: "https://x.example", title: "a link preview, drawn elsewhere" },
        { original_url: "https://y.example", title: "another preview, drawn elsewhere" },
        { is_app_unfurl: true, app_unfurl_url: "https://z.example", title: "an app's unfurl, drawn elsewhere" },
      ],
      context(),
    );
    const markup = html(root);
    assert.equal(root.querySelectorAll(".att").length, 3);
    assert.match(html(root.querySelectorAll(".att")[2]), /<strong>green<\/strong>/, "fields in mrkdwn_in are mrkdwn");
    assert.equal(root.querySelector(".att__bar").style.background, "#e01e5a");
    assert.equal(root.querySelectorAll(".att__bar")[1].style.background, "#36a64f");
    assert.match(html(root.querySelector(".att__pretext")), /<strong>failed<\/strong>/);
    assert.match(markup, /<a href="https:\/\/ci.example\/"[^>]*>CI<\/a>/);
    assert.match(markup, /<a href="https:\/\/ci.example\/42" target="_blank" rel="noopener noreferrer">Build #42/);
    assert.match(markup, /<em>main<\/em> is red/);
    assert.equal(root.querySelector(".bk-field--wide").textContent, "Log<b>long</b>");
    assert.match(markup, /src="https:\/\/chat.example\/graph.png"/);
    assert.match(root.querySelector(".att__footer").textContent, /CI bot · /);
    assert.ok(root.querySelector(".att__footer img.att__footer-icon"));
    assert.doesNotMatch(markup, /drawn elsewhere/);
  });

  test("an attachment's blocks render, and a hostile one shows text only", () => {
    const root = renderAttachments(
      [
        { blocks: [{ type: "section", text: mrkdwn("*inside*") }] },
        {
          color: "red;background:url(https://x.example)",
          title: "<script>x</script>",
          title_link: "javascript:alert(1)",
          author_name: "a",
          author_link: "javascript:alert(1)",
          author_icon: "https://tracker.example/p.gif",
          thumb_url: "javascript:alert(1)",
          footer_icon: "https://tracker.example/p.gif",
          footer: "f",
        },
        "nonsense",
      ],
      context(),
    );
    const markup = html(root);
    assert.match(markup, /<strong>inside<\/strong>/);
    assert.doesNotMatch(markup, /javascript:|tracker.example|<script/);
    assert.equal(root.querySelectorAll(".att__bar")[1].style.background, "#dddddd");
  });
});
