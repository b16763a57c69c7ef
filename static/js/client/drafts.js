// Unsent text, per conversation and per thread, kept in this browser (localStorage) the way Slack keeps
// drafts: switching channels, opening another thread or reloading the page loses nothing you typed.
// A conversation with a draft shows a pencil in the sidebar.

const PREFIX = "slackclone.draft.";

function read(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return ""; // storage disabled (a private window): drafts last as long as the page
  }
}

export class Drafts {
  /** `onChange()` runs when a conversation gains or loses its draft (not on every keystroke). */
  constructor(workspaceId, onChange) {
    this.prefix = `${PREFIX}${workspaceId}.`;
    this.onChange = onChange;
  }

  key(channelId, threadTs = null) {
    return `${this.prefix}${channelId}${threadTs ? `.${threadTs}` : ""}`;
  }

  get(key) {
    return read(key);
  }

  /** Keep `text` under `key`; blank text forgets the draft. */
  set(key, text) {
    const had = Boolean(read(key));
    try {
      if (text.trim()) localStorage.setItem(key, text);
      else localStorage.removeItem(key);
    } catch {
      return;
    }
    if (had !== Boolean(text.trim())) this.onChange();
  }

  /** Whether the conversation itself (not one of its threads) has a draft. */
  has(channelId) {
    return Boolean(read(this.key(channelId)));
  }
}
