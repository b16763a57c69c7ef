// Times shown in the signed-in person's time zone (their profile's, not the browser's), written the way
// their language writes dates (the page's language, i18n.js).

import { gettext, language } from "./i18n.js";

let zone = "UTC";

export function setTimeZone(tz) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    zone = tz;
  } catch {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  }
}

export function tsDate(ts) {
  return new Date(parseFloat(ts) * 1000);
}

const cache = new Map();
function format(options, date) {
  const key = JSON.stringify(options) + zone + language;
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(language, { ...options, timeZone: zone }));
  return cache.get(key).format(date);
}

export function timeOfDay(ts) {
  return format({ hour: "numeric", minute: "2-digit" }, tsDate(ts));
}

export function fullDate(ts) {
  return format({ dateStyle: "full", timeStyle: "short" }, tsDate(ts));
}

/** The calendar day of a ts in the person's zone, as YYYY-MM-DD (for grouping by day). */
export function dayKey(ts) {
  return format({ year: "numeric", month: "2-digit", day: "2-digit" }, typeof ts === "string" ? tsDate(ts) : ts);
}

/** "Today", "Yesterday", or the date, in the person's zone; `now` is there for the tests. */
export function dayLabel(ts, now = new Date()) {
  const key = dayKey(ts);
  if (key === dayKey(now)) return gettext("Today");
  if (key === dayKey(new Date(now.getTime() - 86400000))) return gettext("Yesterday");
  const date = tsDate(ts);
  const sameYear = format({ year: "numeric" }, date) === format({ year: "numeric" }, now);
  return format(sameYear ? { weekday: "long", month: "long", day: "numeric" } : { dateStyle: "long" }, date);
}

/** How long ago: "just now", minutes, hours, days, then the date; `now` is there for the tests. */
export function relative(ts, now = new Date()) {
  const seconds = Math.round((now.getTime() - tsDate(ts).getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
  if (seconds < 60) return gettext("just now");
  if (seconds < 3600) return rtf.format(-Math.floor(seconds / 60), "minute");
  if (seconds < 86400) return rtf.format(-Math.floor(seconds / 3600), "hour");
  if (seconds < 86400 * 7) return rtf.format(-Math.floor(seconds / 86400), "day");
  return format({ dateStyle: "medium" }, tsDate(ts));
}
