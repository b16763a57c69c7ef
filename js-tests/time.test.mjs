import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";

import { dayKey, dayLabel, relative, setTimeZone, timeOfDay, tsDate } from "../static/js/client/time.js";

/** A Slack ts ("seconds.micros") for an ISO instant. */
const ts = (iso) => (Date.parse(iso) / 1000).toFixed(6);
const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

afterEach(() => setTimeZone("UTC"));

describe("timestamps", () => {
  test("a ts keeps its milliseconds", () => {
    assert.equal(tsDate("1700000000.123456").toISOString(), "2023-11-14T22:13:20.123Z");
  });
});

describe("time zones", () => {
  test("times are shown in the profile's zone, not the browser's", () => {
    setTimeZone("Asia/Tokyo");
    assert.match(timeOfDay(ts("2024-01-15T12:00:00Z")), /\b(9:00|21:00)\b/);
  });

  test("an unknown zone falls back to the browser's", () => {
    const saved = process.env.TZ;
    process.env.TZ = "Asia/Kolkata";
    try {
      setTimeZone("Not/A_Zone");
      assert.match(timeOfDay(ts("2024-01-15T00:00:00Z")), /\b5:30\b/);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test("messages are grouped by the calendar day in the profile's zone", () => {
    const evening = ts("2024-03-09T23:00:00Z");
    const later = ts("2024-03-10T01:00:00Z");
    setTimeZone("UTC");
    assert.notEqual(dayKey(evening), dayKey(later));
    setTimeZone("America/New_York");
    assert.equal(dayKey(evening), dayKey(later));
  });
});

describe("day labels", () => {
  // 21:00 on Saturday 9 March 2024 in New York.
  const now = new Date("2024-03-10T02:00:00Z");

  test("today and yesterday end at midnight in the profile's zone", () => {
    setTimeZone("America/New_York");
    assert.equal(dayLabel(ts("2024-03-09T23:00:00Z"), now), "Today");
    assert.equal(dayLabel(ts("2024-03-09T05:30:00Z"), now), "Today"); // 00:30 in New York
    assert.equal(dayLabel(ts("2024-03-09T04:30:00Z"), now), "Yesterday"); // 23:30 the day before
    assert.notEqual(dayLabel(ts("2024-03-08T04:30:00Z"), now), "Yesterday");
  });

  test("the same instant is yesterday in UTC", () => {
    setTimeZone("UTC");
    assert.equal(dayLabel(ts("2024-03-09T23:00:00Z"), now), "Yesterday");
  });

  test("an older day this year is named without the year, one of another year with it", () => {
    setTimeZone("UTC");
    const thisYear = dayLabel(ts("2024-01-02T12:00:00Z"), now);
    const weekday = new Intl.DateTimeFormat(undefined, { weekday: "long", timeZone: "UTC" });
    assert.ok(thisYear.includes(weekday.format(new Date("2024-01-02T12:00:00Z"))), thisYear);
    assert.ok(!thisYear.includes("2024"), thisYear);
    assert.ok(dayLabel(ts("2023-12-30T12:00:00Z"), now).includes("2023"));
  });
});

describe("relative times", () => {
  const now = new Date("2024-03-10T12:00:00Z");
  const ago = (seconds) => relative((now.getTime() / 1000 - seconds).toFixed(6), now);

  test("under a minute is just now, as is a ts from a clock slightly ahead", () => {
    assert.equal(ago(0), "just now");
    assert.equal(ago(59), "just now");
    assert.equal(ago(-30), "just now");
  });

  test("minutes, then hours, then days, each counted down", () => {
    assert.equal(ago(60), rtf.format(-1, "minute"));
    assert.equal(ago(3599), rtf.format(-59, "minute"));
    assert.equal(ago(3600), rtf.format(-1, "hour"));
    assert.equal(ago(86399), rtf.format(-23, "hour"));
    assert.equal(ago(86400), rtf.format(-1, "day"));
    assert.equal(ago(7 * 86400 - 1), rtf.format(-6, "day"));
  });

  test("a week or more ago is a date", () => {
    assert.ok(ago(7 * 86400).includes("2024"));
  });
});
