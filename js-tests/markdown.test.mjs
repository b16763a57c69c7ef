import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { setHighlightRunner } from "../static/js/client/highlight.js";
import { loadLanguage, tokensOf } from "../static/js/client/highlight-languages.js";
import { decodeEntities, highlightsSettled, plainText, renderMarkdown } from "../static/js/client/markdown.js";
import { html, installDom } from "./support/dom.mjs";

installDom({ origin: "https://chat.example" });
// Node has no Web Worker: highlight.js runs in this thread, as the worker would.
setHighlightRunner(async (code, language) => tokensOf(await loadLanguage(language), code, language));

const PEOPLE = { U1: "ada", U2: "grace" };
const CHANNELS = { C1: "general" };
const GROUPS = { S1: "design-team", S2: "sales" };
const ctx = {
  meId: "U1",
  userName: (id, label) => PEOPLE[id] || label || id,
  channelName: (id, label) => CHANNELS[id] || label || id,
  channelHref: (id) => `/client/W1/${id}`,
  usergroupHandle: (id, label) => GROUPS[id] || (label || id).replace(/^@/, ""),
  inUsergroup: (id) => id === "S1",
};

const render = (text) => html(renderMarkdown(text, ctx));
const paragraph = (inner) => `<p class="md-p">${inner}</p>`;

describe("text that looks like markup stays text", () => {
  test("a raw script tag is shown as text, not run", () => {
    assert.equal(render("<script>alert(1)</script>"), paragraph("&lt;script&gt;alert(1)&lt;/script&gt;"));
  });

  test("an entity-encoded tag is decoded into text, never parsed", () => {
    assert.equal(render("&lt;img src=x onerror=alert(1)&gt;"), paragraph("&lt;img src=x onerror=alert(1)&gt;"));
  });

  test("a javascript: link stays text", () => {
    assert.equal(render("<javascript:alert(1)|click me>"), paragraph("&lt;javascript:alert(1)|click me&gt;"));
  });

  test("entities decode once: &amp;lt; is the text &lt;", () => {
    assert.equal(decodeEntities("a &lt; b &amp;&amp; c &amp;lt;"), "a < b && c &lt;");
  });

  test("markup inside a link label is text", () => {
    assert.equal(
      render("<https://example.com|<b>bold</b>>"),
      paragraph("&lt;https://example.com|&lt;b&gt;bold&lt;/b&gt;&gt;"),
    );
  });
});

describe("inline formatting", () => {
  test("bold, italic and strike", () => {
    assert.equal(render("*bold* _italic_ ~gone~"), paragraph("<strong>bold</strong> <em>italic</em> <s>gone</s>"));
  });

  test("formatting nests", () => {
    assert.equal(render("*bold _and italic_*"), paragraph("<strong>bold <em>and italic</em></strong>"));
  });

  test("marks inside a word do not format it", () => {
    assert.equal(render("see snake_case_name and old_name_.txt"), paragraph("see snake_case_name and old_name_.txt"));
    assert.equal(render("a*b*, c~d~."), paragraph("a*b*, c~d~."));
  });

  test("asterisks with spaces around them are arithmetic, not bold", () => {
    assert.equal(render("2 * 3 * 4 = 24"), paragraph("2 * 3 * 4 = 24"));
  });

  test("a code span keeps its content literal", () => {
    assert.equal(
      render("run `*not bold* <@U2>` now"),
      paragraph('run <code class="md-code">*not bold* &lt;@U2&gt;</code> now'),
    );
  });

  test("a known emoji shortcode becomes the character, an unknown one stays text", () => {
    assert.equal(
      render(":tada: :no_such_emoji:"),
      paragraph('<span class="emoji" title=":tada:" role="img" aria-label=":tada:">🎉</span> :no_such_emoji:'),
    );
  });
});

describe("links", () => {
  test("a bare URL becomes a link without the sentence's full stop", () => {
    assert.equal(
      render("see https://example.com/a?b=1."),
      paragraph(
        'see <a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow" class="md-link">' +
          "https://example.com/a?b=1</a>.",
      ),
    );
  });

  test("a labelled link shows its label", () => {
    assert.equal(
      render("<https://example.com/docs|the docs>"),
      paragraph(
        '<a href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow" class="md-link">' +
          "the docs</a>",
      ),
    );
  });

  test("a mailto link shows the address without the scheme", () => {
    assert.equal(
      render("<mailto:ada@example.com>"),
      paragraph(
        '<a href="mailto:ada@example.com" target="_blank" rel="noopener noreferrer nofollow" class="md-link">' +
          "ada@example.com</a>",
      ),
    );
  });
});

describe("mentions", () => {
  test("a mention of me is marked as mine", () => {
    assert.equal(render("<@U1>"), paragraph('<span class="mention mention--me" data-user="U1">@ada</span>'));
  });

  test("a mention of someone else names them", () => {
    assert.equal(render("hi <@U2>"), paragraph('hi <span class="mention" data-user="U2">@grace</span>'));
  });

  test("an unknown person falls back to the label the message carries", () => {
    assert.equal(render("<@U9|someone>"), paragraph('<span class="mention" data-user="U9">@someone</span>'));
  });

  test("a channel reference links to the channel", () => {
    assert.equal(
      render("<#C1>"),
      paragraph('<a class="channel-link" href="/client/W1/C1" data-channel="C1">#general</a>'),
    );
  });

  test("@here, @channel and @everyone notify everyone, other specials show their label", () => {
    assert.equal(
      render("<!here> <!channel> <!everyone> <!date^1700000000|today>"),
      paragraph(
        '<span class="mention mention--me">@here</span> <span class="mention mention--me">@channel</span> ' +
          '<span class="mention mention--me">@everyone</span> today',
      ),
    );
  });

  test("a user group shows its current handle, marked as mine when I am in it", () => {
    assert.equal(
      render("<!subteam^S1|@design> <!subteam^S2>"),
      paragraph(
        '<span class="mention mention--group mention--me" data-usergroup="S1">@design-team</span> ' +
          '<span class="mention mention--group" data-usergroup="S2">@sales</span>',
      ),
    );
  });

  test("a user group this tab does not know shows the label it was written with", () => {
    assert.equal(
      render("<!subteam^S9|@old-name>"),
      paragraph('<span class="mention mention--group" data-usergroup="S9">@old-name</span>'),
    );
  });
});

describe("blocks", () => {
  test("lines of one paragraph are joined by line breaks", () => {
    assert.equal(render("one\ntwo"), paragraph("one<br>two"));
  });

  test("a code block keeps its lines and its markup as text", () => {
    assert.equal(
      render("before\n```\n<b>*x*</b>\nline 2\n```\nafter"),
      paragraph("before") +
        '<pre class="md-pre"><code>&lt;b&gt;*x*&lt;/b&gt;\nline 2</code></pre>' +
        paragraph("after"),
    );
  });

  test("an unclosed fence stays text", () => {
    assert.equal(render("```not code"), paragraph("```not code"));
  });

  test("consecutive quote lines make one quote, encoded or not", () => {
    assert.equal(
      render("> first\n&gt; *second*"),
      '<blockquote class="md-quote">first<br><strong>second</strong></blockquote>',
    );
  });

  test("bullets and numbers make separate lists", () => {
    assert.equal(
      render("- one\n* two\n1. first\n2) second"),
      '<ul class="md-list"><li>one</li><li>two</li></ul><ol class="md-list"><li>first</li><li>second</li></ol>',
    );
  });

  test("an empty or missing message renders nothing", () => {
    assert.equal(render(""), "");
    assert.equal(render(null), "");
  });
});

describe("plain text for previews", () => {
  test("markup is dropped and names are resolved", () => {
    assert.equal(plainText("*hi* <@U2>, see <#C1> &amp; `code`", ctx), "hi @grace, see #general & code");
  });
});

describe("what people used to Markdown type", () => {
  test("double asterisks are bold and double tildes strike", () => {
    assert.equal(render("a **big** deal"), paragraph("a <strong>big</strong> deal"));
    assert.equal(render("~~old~~ new"), paragraph("<s>old</s> new"));
  });

  test("a [label](url) link shows its label and keeps only http(s)", () => {
    assert.equal(
      render("see [the docs](https://example.com/a_b) now"),
      paragraph(
        'see <a href="https://example.com/a_b" target="_blank" rel="noopener noreferrer nofollow" class="md-link">the docs</a> now',
      ),
    );
    assert.equal(render("[x](javascript:alert(1))"), paragraph("[x](javascript:alert(1))"));
  });

  test("Slack's single markers still work beside them", () => {
    assert.equal(render("*one* and **two**"), paragraph("<strong>one</strong> and <strong>two</strong>"));
  });
});

describe("lists", () => {
  test("a bullet of any kind (-, *, •) starts a bulleted list", () => {
    assert.equal(render("- one\n• two"), '<ul class="md-list"><li>one</li><li>two</li></ul>');
  });

  test("a numbered list keeps its first number", () => {
    assert.equal(render("3. three\n4) four"), '<ol class="md-list" start="3"><li>three</li><li>four</li></ol>');
  });

  test("an indented item nests under the item before it, and the outer list goes on after it", () => {
    assert.equal(
      render("- fruit\n  1. apple\n  2. pear\n- *veg*"),
      '<ul class="md-list"><li>fruit<ol class="md-list"><li>apple</li><li>pear</li></ol></li>' +
        "<li><strong>veg</strong></li></ul>",
    );
  });

  test("a line that is not an item ends the list", () => {
    assert.equal(
      render("- one\nafter\n- two"),
      `<ul class="md-list"><li>one</li></ul>${paragraph("after")}<ul class="md-list"><li>two</li></ul>`,
    );
  });

  test("a marker without a space after it is text", () => {
    assert.equal(render("-1 degrees\n1.5 litres"), paragraph("-1 degrees<br>1.5 litres"));
  });
});

describe("code blocks with a language", () => {
  test("a known language is dropped from the code and named in the class", () => {
    const node = renderMarkdown("```py\nx = 1\n```", ctx, { highlight: false });
    assert.equal(html(node), '<pre class="md-pre"><code class="language-python">x = 1</code></pre>');
  });

  test("an unknown first word stays code", () => {
    assert.equal(render("```hello\nworld\n```"), '<pre class="md-pre"><code>hello\nworld</code></pre>');
  });

  test("text marks a block as plain on purpose", () => {
    assert.equal(render("```text\n*x*\n```"), '<pre class="md-pre"><code>*x*</code></pre>');
  });

  test("the code is coloured once the highlighter has loaded, its text unchanged", async () => {
    const node = renderMarkdown("```python\ndef f():\n    return '&lt;b&gt;'\n```", ctx);
    await highlightsSettled();
    const out = html(node);
    assert.match(out, /<code class="language-python hljs"><span class="hljs-keyword">def<\/span>/);
    assert.match(out, /<span class="hljs-string">'&lt;b&gt;'<\/span>/);
    assert.equal(node.textContent, "def f():\n    return '<b>'");
  });
});

describe("plain text lines", () => {
  test("lists are lines with their bullets and numbers, quotes keep their marker", () => {
    assert.equal(
      plainText("intro\n- one\n  - inner\n7. seven\n> quoted\n> more", ctx),
      "intro\n• one\n  • inner\n7. seven\n> quoted\n> more",
    );
  });

  test("a labelled link shows its address, a bare one only once", () => {
    assert.equal(
      plainText("[docs](https://example.com/a) <https://example.com/b|b> https://example.com/c", ctx),
      "docs (https://example.com/a) b (https://example.com/b) https://example.com/c",
    );
  });

  test("**bold**, ~~strike~~ and code lose their markers", () => {
    assert.equal(plainText("**big** ~~old~~\n```js\nlet a = 1;\n```", ctx), "big old\nlet a = 1;");
  });
});
