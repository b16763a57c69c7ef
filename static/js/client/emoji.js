// Emoji shortcodes (:smile: → 😄) with a built-in table, and the picker used for reactions and the composer.

import { h } from "./dom.js";

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

/** The character for a shortcode (skin tones dropped), or null for one we do not know. */
export function emojiChar(name) {
  return EMOJI[String(name).replace(/::skin-tone-\d$/, "")] || null;
}

/** Replace :shortcode: in plain text (used for the composer preview and status text). */
export function shortcodesToText(text) {
  return text.replace(/:([a-z0-9_+'-]+):/g, (whole, name) => emojiChar(name) || whole);
}

export function searchEmoji(prefix, limit = 8) {
  const needle = prefix.toLowerCase();
  const starts = [];
  const contains = [];
  for (const name of Object.keys(EMOJI)) {
    if (name.startsWith(needle)) starts.push(name);
    else if (needle.length > 1 && name.includes(needle)) contains.push(name);
  }
  return starts.concat(contains).slice(0, limit);
}

/** An emoji character as an element with its shortcode as the accessible name. */
export function emojiNode(name) {
  const char = emojiChar(name);
  return h(
    "span",
    { class: "emoji", title: `:${name}:`, role: "img", "aria-label": name.replace(/_/g, " ") },
    char || `:${name}:`,
  );
}

/**
 * Open the emoji picker next to `anchor`; `onPick(name)` is called with the shortcode.
 * Keyboard: type to filter, arrows to move, Enter to pick, Escape to close.
 */
export function openEmojiPicker(anchor, onPick) {
  closeEmojiPicker();
  const input = h("input", {
    type: "search",
    class: "picker__search",
    placeholder: "Search emoji",
    "aria-label": "Search emoji",
  });
  const grid = h("div", { class: "picker__grid", role: "listbox", "aria-label": "Emoji" });
  const picker = h(
    "div",
    { class: "picker", role: "dialog", "aria-label": "Choose an emoji", id: "emoji-picker" },
    input,
    grid,
  );
  const fill = () => {
    grid.replaceChildren();
    const names = input.value ? searchEmoji(input.value.replace(/:/g, ""), 64) : Object.keys(EMOJI);
    for (const name of names) {
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
              onPick(name);
            },
          },
          EMOJI[name],
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
