// Emoji shortcodes (:smile: → 😄) with a built-in table, the workspace's custom emoji (images), and the picker
// used for reactions and the composer.

import { expandedWhileOpen, h } from "./dom.js";
import { gettext } from "./i18n.js";

// biome-ignore format: a table, kept a few names to a line
export const EMOJI = {
  smile: "😄", smiley: "😃", grinning: "😀", grin: "😁", laughing: "😆", sweat_smile: "😅", joy: "😂",
  rofl: "🤣", slightly_smiling_face: "🙂", upside_down_face: "🙃", wink: "😉", blush: "😊", innocent: "😇",
  heart_eyes: "😍", star_struck: "🤩", kissing_heart: "😘", yum: "😋", stuck_out_tongue: "😛",
  stuck_out_tongue_winking_eye: "😜", zany_face: "🤪", money_mouth_face: "🤑", hugging_face: "🤗", hugs: "🤗",
  thinking_face: "🤔", thinking: "🤔", zipper_mouth_face: "🤐", raised_eyebrow: "🤨", neutral_face: "😐",
  expressionless: "😑", no_mouth: "😶", smirk: "😏", unamused: "😒", roll_eyes: "🙄", grimacing: "😬",
  relieved: "😌", pensive: "😔", sleepy: "😪", sleeping: "😴", mask: "😷", face_with_thermometer: "🤒",
  nauseated_face: "🤢", sneezing_face: "🤧", hot_face: "🥵", cold_face: "🥶", dizzy_face: "😵",
  exploding_head: "🤯", cowboy_hat_face: "🤠", partying_face: "🥳", sunglasses: "😎", nerd_face: "🤓",
  confused: "😕", worried: "😟", slightly_frowning_face: "🙁", open_mouth: "😮", hushed: "😯",
  astonished: "😲", flushed: "😳", pleading_face: "🥺", cry: "😢", sob: "😭", scream: "😱", confounded: "😖",
  persevere: "😣", disappointed: "😞", sweat: "😓", weary: "😩", tired_face: "😫", yawning_face: "🥱",
  triumph: "😤", rage: "😡", angry: "😠", skull: "💀", poop: "💩", clown_face: "🤡", ghost: "👻", alien: "👽",
  robot_face: "🤖", robot: "🤖", see_no_evil: "🙈", hear_no_evil: "🙉", speak_no_evil: "🙊",
  wave: "👋", raised_hand: "✋", hand: "✋", ok_hand: "👌", pinching_hand: "🤏", v: "✌️", crossed_fingers: "🤞",
  metal: "🤘", call_me_hand: "🤙", point_left: "👈", point_right: "👉", point_up: "☝️", point_down: "👇",
  "+1": "👍", thumbsup: "👍", "-1": "👎", thumbsdown: "👎", fist: "✊", punch: "👊", clap: "👏",
  raised_hands: "🙌", open_hands: "👐", handshake: "🤝", pray: "🙏", muscle: "💪", writing_hand: "✍️",
  eyes: "👀", eye: "👁️", brain: "🧠", heart: "❤️", orange_heart: "🧡", yellow_heart: "💛", green_heart: "💚",
  blue_heart: "💙", purple_heart: "💜", black_heart: "🖤", broken_heart: "💔", two_hearts: "💕",
  sparkling_heart: "💖", fire: "🔥", sparkles: "✨", star: "⭐", star2: "🌟", zap: "⚡", boom: "💥",
  collision: "💥", "100": "💯", tada: "🎉", confetti_ball: "🎊", balloon: "🎈", gift: "🎁", trophy: "🏆",
  medal: "🏅", first_place_medal: "🥇", rocket: "🚀", airplane: "✈️", car: "🚗", bike: "🚲",
  ship: "🚢", sunny: "☀️", cloud: "☁️", umbrella: "☔", snowflake: "❄️", rainbow: "🌈", ocean: "🌊",
  earth_africa: "🌍", moon: "🌙", coffee: "☕", tea: "🍵", beer: "🍺", beers: "🍻", wine_glass: "🍷",
  pizza: "🍕", hamburger: "🍔", taco: "🌮", sushi: "🍣", cake: "🍰", birthday: "🎂", cookie: "🍪",
  doughnut: "🍩", sandwich: "🥪", burrito: "🌯", ramen: "🍜", spaghetti: "🍝", fries: "🍟", salad: "🥗",
  croissant: "🥐", bagel: "🥯", ice_cream: "🍨", chocolate_bar: "🍫", champagne: "🍾", tropical_drink: "🍹", apple: "🍎", banana: "🍌", avocado: "🥑", hot_pepper: "🌶️", popcorn: "🍿",
  dog: "🐶", cat: "🐱", mouse: "🐭", rabbit: "🐰", fox_face: "🦊", bear: "🐻", panda_face: "🐼",
  koala: "🐨", tiger: "🐯", lion_face: "🦁", cow: "🐮", pig: "🐷", frog: "🐸", monkey_face: "🐵",
  chicken: "🐔", penguin: "🐧", bird: "🐦", owl: "🦉", unicorn_face: "🦄", bee: "🐝", bug: "🐛",
  butterfly: "🦋", snail: "🐌", turtle: "🐢", snake: "🐍", octopus: "🐙", whale: "🐳", dolphin: "🐬",
  fish: "🐟", crab: "🦀", seedling: "🌱", evergreen_tree: "🌲", palm_tree: "🌴", cactus: "🌵",
  four_leaf_clover: "🍀", maple_leaf: "🍁", rose: "🌹", sunflower: "🌻", tulip: "🌷", cherry_blossom: "🌸",
  white_check_mark: "✅", heavy_check_mark: "✔️", ballot_box_with_check: "☑️", x: "❌",
  negative_squared_cross_mark: "❎", warning: "⚠️", no_entry: "⛔", no_entry_sign: "🚫", question: "❓",
  grey_question: "❔", exclamation: "❗", bangbang: "‼️", heavy_plus_sign: "➕", heavy_minus_sign: "➖",
  arrow_right: "➡️", arrow_left: "⬅️", arrow_up: "⬆️", arrow_down: "⬇️", arrows_counterclockwise: "🔄",
  repeat: "🔁", hourglass: "⌛", hourglass_flowing_sand: "⏳", alarm_clock: "⏰", stopwatch: "⏱️",
  calendar: "📅", date: "📅", spiral_calendar_pad: "🗓️", memo: "📝", pencil: "📝", pencil2: "✏️",
  pushpin: "📌", round_pushpin: "📍", paperclip: "📎", link: "🔗", lock: "🔒", unlock: "🔓", key: "🔑",
  hammer: "🔨", wrench: "🔧", gear: "⚙️", hammer_and_wrench: "🛠️", toolbox: "🧰", bulb: "💡",
  mag: "🔍", bell: "🔔", no_bell: "🔕", loudspeaker: "📢", mega: "📣", speech_balloon: "💬",
  thought_balloon: "💭", email: "📧", envelope: "✉️", inbox_tray: "📥", outbox_tray: "📤", package: "📦",
  bookmark: "🔖", books: "📚", book: "📖", chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉",
  bar_chart: "📊", clipboard: "📋", file_folder: "📁", computer: "💻", desktop_computer: "🖥️",
  keyboard: "⌨️", iphone: "📱", phone: "☎️", camera: "📷", movie_camera: "🎥", headphones: "🎧",
  musical_note: "🎵", notes: "🎶", art: "🎨", video_game: "🎮", dart: "🎯", game_die: "🎲",
  soccer: "⚽", basketball: "🏀", tennis: "🎾", moneybag: "💰", dollar: "💵", credit_card: "💳",
  gem: "💎", crown: "👑", ring: "💍", house: "🏠", office: "🏢", hospital: "🏥", construction: "🚧",
  rotating_light: "🚨", triangular_flag_on_post: "🚩", checkered_flag: "🏁", white_flag: "🏳️",
  red_circle: "🔴", large_blue_circle: "🔵", green_circle: "🟢", yellow_circle: "🟡", white_circle: "⚪",
  black_circle: "⚫", ship_it: "🚢", shipit: "🚢", squirrel: "🐿️", sweat_drops: "💦", zzz: "💤",
  dash: "💨", wave_skin: "👋", man_shrugging: "🤷‍♂️", woman_shrugging: "🤷‍♀️", shrug: "🤷",
  facepalm: "🤦", man_facepalming: "🤦‍♂️", woman_facepalming: "🤦‍♀️", bow: "🙇", raising_hand: "🙋",
  ok_woman: "🙆", no_good: "🙅", dancer: "💃", man_dancing: "🕺", runner: "🏃", walking: "🚶",
  baby: "👶", boy: "👦", girl: "👧", man: "👨", woman: "👩", older_man: "👴", older_woman: "👵",
  cop: "👮", detective: "🕵️", construction_worker: "👷", technologist: "🧑‍💻", scientist: "🧑‍🔬",
  teacher: "🧑‍🏫", santa: "🎅", superhero: "🦸", ninja: "🥷", mage: "🧙", zombie: "🧟",
};

export const QUICK_REACTIONS = ["+1", "heart", "joy", "tada", "eyes", "white_check_mark", "pray", "fire"];

// The workspace's custom emoji: name → its image's URL, or "alias:<name>" (Slack's emoji.list values).
// Filled from the REST API at start and kept current by emoji_changed events.
const custom = new Map();
let addEmoji = null; // set when the reader may add custom emoji: called to open the add dialog

/** Replace every custom emoji (the REST list, or a test's), name → URL or "alias:<name>"; whether any changed. */
export function setCustomEmoji(entries) {
  const next = new Map(entries);
  const same = next.size === custom.size && [...next].every(([name, value]) => custom.get(name) === value);
  if (same) return false;
  custom.clear();
  for (const [name, value] of next) custom.set(name, value);
  return true;
}

/** One custom emoji added (emoji_changed, subtype add). */
export function addCustomEmoji(name, value) {
  custom.set(name, value);
}

/** Custom emoji removed (emoji_changed, subtype remove): the emoji and its aliases. */
export function removeCustomEmoji(names) {
  for (const name of names) custom.delete(name);
}

/** Offer "Add emoji" in the picker (`open` shows the dialog), or stop offering it (null). */
export function setEmojiAdder(open) {
  addEmoji = open;
}

function baseName(name) {
  return String(name).replace(/::skin-tone-\d$/, "");
}

/** The name an alias stands for, or the name itself. */
function resolve(name) {
  const value = custom.get(name);
  return value?.startsWith("alias:") ? value.slice(6) : name;
}

/** A custom emoji's image URL (aliases followed), or null for a standard or unknown name. */
export function customEmojiUrl(name) {
  const value = custom.get(resolve(baseName(name)));
  return value && !value.startsWith("alias:") ? value : null;
}

/** The character for a shortcode (skin tones dropped, aliases of standard emoji followed), or null. */
export function emojiChar(name) {
  return EMOJI[resolve(baseName(name))] || null;
}

/** Whether a shortcode draws anything: a standard emoji, or one of the workspace's. */
export function isKnownEmoji(name) {
  return Boolean(emojiChar(name) || customEmojiUrl(name));
}

/** Replace :shortcode: in plain text (used for the composer preview and status text). */
export function shortcodesToText(text) {
  return text.replace(/:([a-z0-9_+'-]+):/g, (whole, name) => emojiChar(name) || whole);
}

export function searchEmoji(prefix, limit = 8) {
  const needle = prefix.toLowerCase();
  const starts = [];
  const contains = [];
  for (const name of [...custom.keys(), ...Object.keys(EMOJI)]) {
    if (name.startsWith(needle)) starts.push(name);
    else if (needle.length > 1 && name.includes(needle)) contains.push(name);
  }
  return starts.concat(contains).slice(0, limit);
}

/** What draws an emoji: an <img> for a custom one, its character for a standard one, null if unknown. */
export function emojiGlyph(name, { className = "emoji" } = {}) {
  const url = customEmojiUrl(name);
  const label = `:${name}:`;
  if (url)
    return h("img", { class: `${className} emoji--custom`, src: url, alt: label, title: label, draggable: "false" });
  const char = emojiChar(name);
  return char ? h("span", { class: className, title: label, role: "img", "aria-label": label }, char) : null;
}

/** An emoji as an element with its shortcode as the accessible name (`:name:` as text if unknown). */
export function emojiNode(name) {
  return emojiGlyph(name) || h("span", { class: "emoji", title: `:${name}:` }, `:${name}:`);
}

function pickerNames(query) {
  if (query) return searchEmoji(query, 64);
  return [...custom.keys(), ...Object.keys(EMOJI)];
}

/**
 * Open the emoji picker next to `anchor`; `onPick(name)` is called with the shortcode.
 * The workspace's custom emoji come first. Keyboard: type to filter, arrows to move, Enter to pick,
 * Escape to close.
 */
export function openEmojiPicker(anchor, onPick) {
  closeEmojiPicker();
  const input = h("input", {
    type: "search",
    class: "picker__search",
    placeholder: gettext("Search emoji"),
    "aria-label": gettext("Search emoji"),
  });
  const grid = h("div", { class: "picker__grid", role: "listbox", "aria-label": gettext("Emoji") });
  const adder = addEmoji;
  const add = adder
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn--small picker__add",
          onclick: () => {
            closeEmojiPicker();
            adder();
          },
        },
        gettext("Add emoji"),
      )
    : null;
  const picker = h(
    "div",
    { class: "picker", role: "dialog", "aria-label": gettext("Choose an emoji"), id: "emoji-picker" },
    input,
    grid,
    add,
  );
  const fill = () => {
    grid.replaceChildren();
    for (const name of pickerNames(input.value.replace(/:/g, ""))) {
      grid.append(
        h(
          "button",
          {
            type: "button",
            class: "picker__item",
            role: "option",
            title: `:${name}:`,
            "aria-label": name.replace(/_/g, " "),
            dataset: { name },
            onclick: () => {
              closeEmojiPicker();
              anchor.focus();
              onPick(name);
            },
          },
          emojiGlyph(name, { className: "picker__glyph" }) || `:${name}:`,
        ),
      );
    }
  };
  input.addEventListener("input", fill);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeEmojiPicker();
      anchor.focus();
    }
    if (event.key === "Enter") {
      event.preventDefault();
      grid.querySelector("button")?.click();
    }
    if (event.key === "ArrowDown") grid.querySelector("button")?.focus();
  });
  grid.addEventListener("keydown", (event) => {
    const items = [...grid.children];
    const index = items.indexOf(document.activeElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[event.key];
    if (step) {
      event.preventDefault();
      items[Math.max(0, Math.min(items.length - 1, index + step))]?.focus();
    }
    if (event.key === "Escape") {
      event.preventDefault();
      closeEmojiPicker();
      anchor.focus();
    }
  });
  fill();
  document.body.append(picker);
  expandedWhileOpen(anchor, picker);
  const box = anchor.getBoundingClientRect();
  const top = Math.max(8, Math.min(box.top - 330, innerHeight - 340));
  const left = Math.max(8, Math.min(box.left - 150, innerWidth - 328));
  picker.style.top = `${top}px`;
  picker.style.left = `${left}px`;
  input.focus();
  setTimeout(() => document.addEventListener("pointerdown", outside), 0);
}

function outside(event) {
  const picker = document.getElementById("emoji-picker");
  if (picker && !picker.contains(event.target)) closeEmojiPicker();
}

export function closeEmojiPicker() {
  document.getElementById("emoji-picker")?.remove();
  document.removeEventListener("pointerdown", outside);
}
