"""Realistic-looking team chat text for demo and benchmark data.

Sentences are assembled from a small vocabulary of what software teams talk about, so a
demo reads like a workspace in use rather than lorem ipsum. Everything is driven by the
caller's random.Random, so the same seed always gives the same text.
"""

from __future__ import annotations

import random

THINGS = [
    "the login page",
    "the billing migration",
    "search indexing",
    "the onboarding flow",
    "the mobile release",
    "the API rate limits",
    "the dark mode toggle",
    "notification emails",
    "the CSV export",
    "file uploads",
    "the staging deploy",
    "the on-call rotation",
    "the Q3 roadmap",
    "the pricing page",
    "SSO for enterprise",
    "the flaky integration tests",
    "the database upgrade",
    "the new dashboard",
    "push notifications",
    "the design system",
]
PEOPLE_WORDS = ["the customer", "the support team", "legal", "finance", "the design crew", "QA", "sales"]
WHEN = ["today", "tomorrow", "this afternoon", "by Friday", "before the release", "next sprint", "after lunch"]
EMOJI = ["thumbsup", "tada", "eyes", "white_check_mark", "rocket", "heart", "joy", "pray", "fire", "+1", "100"]

OPENERS = [
    "Morning all! {status}",
    "Quick update: {status}",
    "Heads up: {thing} is {state}.",
    "Has anyone looked at {thing} yet?",
    "I'm picking up {thing} {when}.",
    "Can we move the sync about {thing} to {when}?",
    "Shipped {thing} to staging, please give it a spin.",
    "PR for {thing} is up: https://git.example.com/app/pull/{number}",
    "{people} asked about {thing} again, do we have an ETA?",
    "Retro notes are in the doc, the big one was {thing}.",
    "Reminder: demo {when}, bring screenshots of {thing}.",
    "FYI {thing} is {state}, I'll keep an eye on it.",
    "Is {thing} blocked on anything I can help with?",
    "Lunch order closes in 10 minutes :sandwich:",
    "Who's around to pair on {thing} {when}?",
    "Dashboards look healthy, p95 latency is down to {number}ms.",
    "Incident review for {thing} is scheduled {when}.",
    "Writing up the spec for {thing}, comments welcome.",
]
STATUSES = [
    "{thing} is {state}.",
    "I'm wrapping up {thing} {when}.",
    "still chasing a bug in {thing}.",
    "{thing} got sign-off from {people}.",
]
STATES = ["done", "in review", "blocked", "rolling out", "behind schedule", "looking good", "half way there", "live"]
REPLIES = [
    "Looks good to me!",
    "On it.",
    "Thanks, merging now.",
    "I can take that {when}.",
    "Good catch, I'll fix it.",
    "Let's discuss at standup.",
    "+1, same here.",
    "Can you share the logs?",
    "Agreed, {thing} needs another pass.",
    "Nice work :tada:",
    "I'll loop in {people}.",
    "Should be fixed now, can you retry?",
    "Not yet, waiting on {people}.",
]
MENTION_LINES = [
    "{mention} can you take a look at {thing} {when}?",
    "{mention} what do you think about {thing}?",
    "Thanks {mention}, {thing} works great now.",
    "{mention} you're up for review on {thing}.",
    "cc {mention} for {thing}",
]
BROADCAST_LINES = [
    "<!here> standup moved to {when}.",
    "<!channel> {thing} is {state}, please read the notes.",
    "<!here> anyone free to help with {thing}?",
]


def _fill(template: str, rng: random.Random, mention: str = "") -> str:
    return template.format(
        thing=rng.choice(THINGS),
        people=rng.choice(PEOPLE_WORDS),
        when=rng.choice(WHEN),
        state=rng.choice(STATES),
        number=rng.randint(100, 999),
        mention=mention,
        status="",
    )


def top_level_text(rng: random.Random) -> str:
    """A message that starts a conversation."""
    template = rng.choice(OPENERS)
    if "{status}" in template:
        template = template.replace("{status}", rng.choice(STATUSES))
    text = _fill(template, rng)
    return text[0].upper() + text[1:]


def reply_text(rng: random.Random) -> str:
    """A short answer in a thread or right after someone's message."""
    return _fill(rng.choice(REPLIES), rng)


def mention_text(rng: random.Random, mention_markup: str) -> str:
    """A message addressed to someone; `mention_markup` is Slack markup such as <@U123>."""
    return _fill(rng.choice(MENTION_LINES), rng, mention=mention_markup)


def broadcast_text(rng: random.Random) -> str:
    """A message with <!here> or <!channel>, which mentions everyone in the channel."""
    return _fill(rng.choice(BROADCAST_LINES), rng)


def emoji(rng: random.Random) -> str:
    return rng.choice(EMOJI)
