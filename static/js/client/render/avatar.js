import { h } from "../dom.js";
import { gettext } from "../i18n.js";

const COLOURS = 8;

/** A person's picture, or their initial on a colour derived from their id. */
export function avatar(user, size = "md") {
  const url = user.profile?.image_72;
  if (url) return h("img", { class: `cavatar cavatar--${size}`, src: url, alt: "", loading: "lazy" });
  const name = user.profile?.display_name || user.real_name || user.name || "?";
  let hash = 0;
  for (const char of user.id || name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return h(
    "span",
    { class: `cavatar cavatar--${size} cavatar--c${hash % COLOURS}`, "aria-hidden": "true" },
    name.trim().charAt(0).toUpperCase(),
  );
}

export function presenceDot(state) {
  return h(
    "span",
    {
      class: `presence presence--${state === "active" ? "active" : "away"}`,
      title: state === "active" ? gettext("Active") : gettext("Away"),
    },
    h("span", { class: "sr-only" }, state === "active" ? gettext("active") : gettext("away")),
  );
}
