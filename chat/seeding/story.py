"""The demo's newest conversations, written by hand and posted through the services.

These are the messages a visitor sees first in each channel, and between them they use
every kind of write: threads, mentions, broadcasts, reactions, pins, DMs and a group DM.
They go through message_post, reaction_add, pin_add and channel_mark_read like anything a
person does in the app. Each line is posted with a fixed client_msg_id, so running the
seed again finds it instead of posting it twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from chat.models import Channel, Message, Reaction
from chat.seeding.demo import DEMO_SLUG, DemoWorkspace
from chat.services import channel_mark_read, message_post, pin_add, reaction_add

MENTION_PLACEHOLDER_RE = re.compile(r"\{@(\w+)\}")


@dataclass(frozen=True)
class Line:
    channel: str  # a ChannelSpec key: the channel name, or "alice+bob" for a DM
    author: str
    text: str  # {@handle} becomes <@U…>
    reply_to: int | None = None  # index of the thread's first line
    reactions: tuple[tuple[str, str], ...] = ()
    pin: bool = False


STORY = [
    Line(
        "general",
        "alice",
        "Welcome to Demo Company! :wave: This is where announcements go. Say hi in #random.",
        reactions=(("bob", "wave"), ("carol", "tada"), ("erin", "heart")),
        pin=True,
    ),
    Line("general", "bob", "Glad to be here! Office hours are Tuesdays at 3pm.", reply_to=0),
    Line("general", "erin", "<!here> All-hands moves to Thursday 10am this week.", reactions=(("dave", "+1"),)),
    Line("random", "dave", "Who else is in for coffee at 11? :coffee:", reactions=(("carol", "raised_hand"),)),
    Line("random", "carol", "Me! The new place on 5th does great flat whites.", reply_to=3),
    Line("random", "erin", "Count me in too.", reply_to=3),
    Line("engineering", "bob", "Deploy to staging is done. {@dave} can you check the error dashboard?"),
    Line("engineering", "dave", "Looking now. One spike in the search service, otherwise clean.", reply_to=6),
    Line("engineering", "bob", "Thanks! I'll dig into search after lunch.", reply_to=6, reactions=(("dave", "eyes"),)),
    Line(
        "engineering",
        "alice",
        "Release checklist for 2.4: https://wiki.example.com/releases/2.4 - please tick your items by Friday.",
        reactions=(("bob", "white_check_mark"), ("dave", "white_check_mark")),
        pin=True,
    ),
    Line("engineering", "dave", "PR for the new message composer is up, reviews welcome {@bob}"),
    Line("design", "carol", "New onboarding mockups are in Figma, feedback by Wednesday please :art:"),
    Line("design", "erin", "Love the empty states! Can we try a warmer illustration style?", reply_to=11),
    Line("design", "carol", "Good idea {@erin}, I'll do two variants.", reply_to=11, reactions=(("erin", "heart"),)),
    Line("design", "dave", "Heads up: the button component now supports a loading state."),
    Line("product", "erin", "Q3 roadmap draft is ready for comments. Top themes: search, threads, mobile."),
    Line("product", "alice", "Great draft. Can we add SSO? Two enterprise deals depend on it.", reply_to=15),
    Line("product", "erin", "Added, as a stretch goal for now.", reply_to=15, reactions=(("alice", "+1"),)),
    Line("product", "carol", "Customer interviews this week: 5 booked, notes will go in the research doc."),
    Line("leadership", "alice", "Budget review moved to Monday. {@bob} can you bring the hiring plan?"),
    Line("leadership", "bob", "Yes, two backend roles and one designer.", reply_to=19),
    Line("leadership", "erin", "Sounds right. Let's also discuss the support rotation.", reply_to=19),
    Line(
        "launch-plans",
        "alice",
        "Welcome {@frank}! You'll lead QA for the autumn launch.",
        reactions=(("frank", "wave"),),
    ),
    Line("launch-plans", "frank", "Thanks! First test pass is scheduled for next Tuesday."),
    Line("launch-plans", "carol", "I'll share the final designs before then.", reply_to=23),
    Line("launch-plans", "dave", "Staging will be frozen from Monday evening."),
    Line("alice+bob", "alice", "Do you have a minute to talk about the on-call schedule?"),
    Line("alice+bob", "bob", "Sure, after standup?"),
    Line("alice+bob", "alice", "Perfect, thanks!", reactions=(("bob", "+1"),)),
    Line("alice+bob+carol", "carol", "Lunch on Friday to celebrate the release? :pizza:"),
    Line("alice+bob+carol", "bob", "Yes please!", reactions=(("alice", "pizza"), ("carol", "tada"))),
    Line("alice+bob+carol", "alice", "I'll book a table for noon."),
]
# Unread messages left for the owner, so the demo shows unread badges: (channel key, how many).
OWNER_UNREAD = {"engineering": 2, "design": 1}


def client_msg_id(index: int) -> str:
    return f"{DEMO_SLUG}-story-{index:03d}"


def story_messages_missing(demo: DemoWorkspace) -> int:
    """How many storyline messages an earlier run has not posted yet."""
    posted = Message.objects.filter(
        channel__workspace=demo.workspace, client_msg_id__in=[client_msg_id(i) for i in range(len(STORY))]
    ).count()
    return len(STORY) - posted


@transaction.atomic
def post_storyline(demo: DemoWorkspace) -> int:
    """Post the lines not posted yet, with their reactions and pins; returns how many were posted.

    Raises DomainError if a service refuses (for example someone archived a demo channel).
    """
    posted: dict[int, Message] = {}
    added = 0
    for index, line in enumerate(STORY):
        author = demo.users[line.author]
        existing = Message.objects.filter(author=author, client_msg_id=client_msg_id(index)).first()
        if existing is not None:
            posted[index] = existing
            continue
        message = message_post(
            sender=author,
            channel=demo.channel(line.channel).channel,
            text=MENTION_PLACEHOLDER_RE.sub(lambda m: f"<@{demo.users[m.group(1)].public_id}>", line.text),
            thread_ts=posted[line.reply_to].ts if line.reply_to is not None else None,
            client_msg_id=client_msg_id(index),
        )
        posted[index] = message
        added += 1
        _react_and_pin(demo, line, message)
    if added:
        _mark_read(demo)
    return added


def _react_and_pin(demo: DemoWorkspace, line: Line, message: Message) -> None:
    for handle, emoji in line.reactions:
        if not Reaction.objects.filter(message=message, user=demo.users[handle], emoji=emoji).exists():
            reaction_add(actor=demo.users[handle], message=message, emoji=emoji)
    if line.pin:
        pin_add(actor=message.author, message=message)


def _mark_read(demo: DemoWorkspace) -> None:
    """Everyone has read everything, except the owner, who has a few unread messages in two channels."""
    for demo_channel in demo.channels:
        channel = Channel.objects.get(pk=demo_channel.channel.pk)
        for user in demo_channel.members:
            behind = OWNER_UNREAD.get(demo_channel.key, 0) if user.pk == demo.owner.pk else 0
            channel_mark_read(actor=user, channel=channel, seq=max(channel.last_seq - behind, 0))
