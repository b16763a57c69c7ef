// Arranging the sidebar: which channels show in which section, and in what order. The server keeps each
// person's sections and the channels placed in them; a channel never placed sits in its default section
// ("Channels" or "Direct messages"). Pure functions, so Node's tests run them.

export const DEFAULT_SECTION_TYPES = ["channels", "direct_messages"];

export const DEFAULT_LAYOUT = {
  show_unreads: false,
  sections: DEFAULT_SECTION_TYPES.map((type) => ({
    id: type,
    type,
    name: "",
    collapsed: false,
    sort: "manual",
    channel_ids: [],
  })),
};

export function isDirect(channel) {
  return Boolean(channel.is_im || channel.is_mpim);
}

function activity(channel) {
  return channel.last_ts ? Number(channel.last_ts) : channel.created || 0;
}

/** A section's channels in its chosen order: as arranged, by name, or the most recently active first. */
export function sortChannels(channels, sort, title) {
  const byName = (a, b) => title(a).localeCompare(title(b));
  if (sort === "name") return [...channels].sort(byName);
  if (sort === "activity") return [...channels].sort((a, b) => activity(b) - activity(a) || byName(a, b));
  return channels;
}

/**
 * The sidebar as shown: `unreads` (the channels for the Unreads section, or null when it is off) and, per
 * section, its channels in order and `placed`, the ids the server has placed there (what a drop's position
 * counts among). A channel in Unreads leaves its own section meanwhile, as in Slack.
 */
export function arrangeSidebar(layout, channels, { title, inUnreads = () => false }) {
  const byId = new Map(channels.map((channel) => [channel.id, channel]));
  const placedIn = new Map();
  for (const section of layout.sections)
    for (const id of section.channel_ids) if (byId.has(id) && !placedIn.has(id)) placedIn.set(id, section.id);
  const unreads = layout.show_unreads ? sortChannels(channels.filter(inUnreads), "activity", title) : null;
  const shownInUnreads = new Set((unreads || []).map((channel) => channel.id));
  const byName = (a, b) => title(a).localeCompare(title(b));
  const sections = layout.sections.map((section) => {
    const placed = section.channel_ids.filter((id) => placedIn.get(id) === section.id);
    let rest = [];
    if (DEFAULT_SECTION_TYPES.includes(section.type)) {
      const direct = section.type === "direct_messages";
      rest = channels.filter((c) => !placedIn.has(c.id) && isDirect(c) === direct).sort(byName);
    }
    const shown = [...placed.map((id) => byId.get(id)), ...rest].filter((c) => !shownInUnreads.has(c.id));
    return { section, channels: sortChannels(shown, section.sort, title), placed };
  });
  return { unreads, sections };
}

/** Where among a section's placed channels a drop lands: before `beforeId`, or at the end (null, or unplaced). */
export function dropPosition(placed, movingId, beforeId) {
  const ids = placed.filter((id) => id !== movingId);
  const index = beforeId === null ? -1 : ids.indexOf(beforeId);
  return index === -1 ? ids.length : index;
}

/** The layout once a channel moves, as the server will store it: shown at once, then confirmed. */
export function moveInLayout(layout, channelId, sectionId, position) {
  const sections = layout.sections.map((s) => ({ ...s, channel_ids: s.channel_ids.filter((id) => id !== channelId) }));
  const target = sections.find((s) => s.id === sectionId);
  if (target) {
    const at = position === null || position === undefined ? target.channel_ids.length : position;
    target.channel_ids.splice(Math.min(at, target.channel_ids.length), 0, channelId);
  }
  return { ...layout, sections };
}

/** The layout with one section's fields changed (collapsed, sort, name). */
export function changeSection(layout, sectionId, changes) {
  return { ...layout, sections: layout.sections.map((s) => (s.id === sectionId ? { ...s, ...changes } : s)) };
}
