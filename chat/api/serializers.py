"""Request and response shapes of the chat API.

Responses are built by chat.wire (the one place that shapes channels, messages and users for
every surface); the response serializers here describe those same shapes for the OpenAPI
schema, and schemathesis checks that the two agree. Request serializers validate input types
before the services apply the product's rules.
"""

from __future__ import annotations

from rest_framework import serializers

from chat.models import NotifyLevel, SectionKind, SectionSort
from chat.selectors import HISTORY_MAX_LIMIT

MAX_SEQ = 2**62
PUBLIC_ID_PATTERN = r"^[A-Z][A-Z0-9]{2,20}$"
TS_PATTERN = r"^[0-9]{1,12}\.[0-9]{6}$"


def public_id_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(PUBLIC_ID_PATTERN, max_length=21, **kwargs)


def ts_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(TS_PATTERN, max_length=19, **kwargs)


# --- Response shapes (chat.wire) ---------------------------------------------------------


class UserProfileSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    real_name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.CharField(
        required=False, help_text="Only where the workspace shows addresses to you (always your own)."
    )
    status_emoji = serializers.CharField()
    status_text = serializers.CharField()
    status_expiration = serializers.IntegerField(help_text="Unix time; 0 when the status does not expire.")
    image_72 = serializers.CharField()


class UserSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public user id (U…).")
    name = serializers.CharField()
    real_name = serializers.CharField()
    is_bot = serializers.BooleanField()
    deleted = serializers.BooleanField()
    tz = serializers.CharField()
    profile = UserProfileSerializer()


class TextValueSerializer(serializers.Serializer):
    value = serializers.CharField()


class ChannelSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="C… public, G… private or group DM, D… DM.")
    name = serializers.CharField(help_text="Empty for DMs and group DMs.")
    is_channel = serializers.BooleanField()
    is_group = serializers.BooleanField()
    is_im = serializers.BooleanField()
    is_mpim = serializers.BooleanField()
    is_private = serializers.BooleanField()
    is_archived = serializers.BooleanField()
    is_general = serializers.BooleanField()
    created = serializers.IntegerField()
    creator = serializers.CharField()
    topic = TextValueSerializer()
    purpose = TextValueSerializer()
    last_seq = serializers.IntegerField(help_text="The seq of the channel's newest message.")
    members = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="DMs and group DMs: everyone in it."
    )
    is_member = serializers.BooleanField(required=False)


class MyChannelSerializer(ChannelSerializer):
    unread_count = serializers.IntegerField()
    mention_count = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    muted = serializers.BooleanField(help_text="Muted by me: the client shows it dimmed and without badges.")
    notify_level = serializers.ChoiceField(choices=NotifyLevel.choices, help_text="What in it notifies me.")
    last_ts = serializers.CharField(allow_blank=True, help_text="The ts of its latest message; empty when none.")


class ChannelPrefsSerializer(serializers.Serializer):
    channel = serializers.CharField(read_only=True)
    muted = serializers.BooleanField(
        required=False, help_text="Muted: dimmed in the sidebar, and only mentions by name notify you."
    )
    notify_level = serializers.ChoiceField(
        choices=NotifyLevel.choices,
        required=False,
        help_text="What notifies you: every message (all), mentions, DMs and threads (mentions), or nothing.",
    )


class FileSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Public file id (F…).")
    name = serializers.CharField()
    mimetype = serializers.CharField(help_text="Sniffed from the content, not taken from the upload.")
    size = serializers.IntegerField()
    is_image = serializers.BooleanField()
    created = serializers.IntegerField()
    url_private = serializers.CharField(help_text="Download (channel members only).")
    thumb_url = serializers.CharField(allow_null=True)


class ReactionSerializer(serializers.Serializer):
    name = serializers.CharField()
    users = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField()


class EditedSerializer(serializers.Serializer):
    user = serializers.CharField()
    ts = serializers.CharField()


class BotIconsSerializer(serializers.Serializer):
    image_36 = serializers.CharField()
    image_48 = serializers.CharField()
    image_72 = serializers.CharField()


class BotProfileSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="The bot user's public id.")
    name = serializers.CharField()
    deleted = serializers.BooleanField()
    icons = BotIconsSerializer()


class MessageIconsSerializer(serializers.Serializer):
    emoji = serializers.CharField(required=False, help_text="An emoji, as :name:.")
    image_48 = serializers.CharField(required=False)
    image_72 = serializers.CharField(required=False)


class MessageSerializer(serializers.Serializer):
    type = serializers.CharField()
    channel = serializers.CharField()
    user = serializers.CharField(help_text="The author's public id.")
    text = serializers.CharField(help_text="Slack markup: <@U…> mentions, <!here>, <#C…>.")
    ts = serializers.CharField(help_text="The message's id within its channel (Slack's ts).")
    seq = serializers.IntegerField(help_text="Position in the channel: 1, 2, 3… with no gaps.")
    thread_ts = serializers.CharField(required=False)
    parent_user_id = serializers.CharField(required=False)
    subtype = serializers.CharField(required=False, help_text="thread_broadcast, bot_message, tombstone.")
    reply_count = serializers.IntegerField(required=False)
    latest_reply = serializers.CharField(required=False)
    client_msg_id = serializers.CharField(required=False)
    bot_id = serializers.CharField(required=False)
    bot_profile = BotProfileSerializer(required=False, help_text="Who a bot message is from.")
    username = serializers.CharField(
        required=False, help_text="A bot message's own name for this message (subtype bot_message)."
    )
    icons = MessageIconsSerializer(required=False, help_text="A bot message's own icon (subtype bot_message).")
    edited = EditedSerializer(required=False)
    deleted = serializers.BooleanField(required=False)
    reactions = ReactionSerializer(many=True, required=False)
    files = FileSerializer(many=True, required=False)
    blocks = serializers.ListField(child=serializers.DictField(), required=False, help_text="Slack's Block Kit blocks.")
    attachments = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Slack's legacy message attachments."
    )


class ReadReceiptsSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The seq of the last message shown in the conversation (0: none).")
    seen_by = serializers.ListField(
        child=serializers.CharField(),
        help_text="Who has read up to it (U…), leaving out its author and you; only people who send receipts.",
    )


class MessagePageSerializer(serializers.Serializer):
    messages = MessageSerializer(many=True)
    has_more = serializers.BooleanField(help_text="More messages in the direction of this page.")
    next = serializers.CharField(allow_null=True, help_text="The next page in the same direction.")
    previous = serializers.CharField(allow_null=True, help_text="The page in the other direction.")
    read_receipts = ReadReceiptsSerializer(
        required=False,
        allow_null=True,
        help_text="Only on the newest page (no before, after or around): who has seen the last message of a DM "
        "or group DM of up to 10 people where the workspace shows read receipts; null anywhere else.",
    )


class ReadReceiptsOutSerializer(serializers.Serializer):
    channel = serializers.CharField()
    read_receipts = ReadReceiptsSerializer(
        allow_null=True, help_text="null: no receipts here (a channel, a larger DM, or the workspace's setting off)."
    )


class ThreadPageSerializer(serializers.Serializer):
    root = MessageSerializer()
    replies = MessageSerializer(many=True)
    has_more = serializers.BooleanField()
    next = serializers.CharField(allow_null=True)


class SidebarSectionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="`L…` for your own sections; `channels`, `direct_messages` for the defaults.")
    type = serializers.ChoiceField(choices=SectionKind.values)
    name = serializers.CharField()
    collapsed = serializers.BooleanField()
    sort = serializers.ChoiceField(choices=SectionSort.values)
    channel_ids = serializers.ListField(
        child=serializers.CharField(), help_text="The channels placed here, in order; others sit in their default."
    )


class SidebarSerializer(serializers.Serializer):
    show_unreads = serializers.BooleanField()
    sections = SidebarSectionSerializer(many=True)
    revision = serializers.IntegerField(
        min_value=0,
        help_text="Grows by one with every change to the layout; a client ignores a layout older than one it shows.",
    )


class ChannelListSerializer(serializers.Serializer):
    channels = MyChannelSerializer(many=True)
    sidebar = SidebarSerializer(help_text="My sidebar's sections and where my channels sit in them.")


class ChannelPageSerializer(serializers.Serializer):
    channels = ChannelSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ChannelOutSerializer(serializers.Serializer):
    channel = ChannelSerializer()


class ChannelMemberPageSerializer(serializers.Serializer):
    members = UserSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class MessageOutSerializer(serializers.Serializer):
    message = MessageSerializer()


class MessageListSerializer(serializers.Serializer):
    messages = MessageSerializer(many=True)


class ReactionListSerializer(serializers.Serializer):
    reactions = ReactionSerializer(many=True)


class UnreadSerializer(serializers.Serializer):
    channel = serializers.CharField()
    unread_count = serializers.IntegerField()
    mention_count = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    last_seq = serializers.IntegerField()


class UnreadListSerializer(serializers.Serializer):
    channels = UnreadSerializer(many=True)
    total_unread = serializers.IntegerField()
    total_mentions = serializers.IntegerField()


class ReadMarkerSerializer(serializers.Serializer):
    channel = serializers.CharField()
    last_read_seq = serializers.IntegerField()
    unread_count = serializers.IntegerField()


class MentionsPageSerializer(serializers.Serializer):
    messages = MessageSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class FileOutSerializer(serializers.Serializer):
    file = FileSerializer()
    message = MessageSerializer()


class FileDetailSerializer(serializers.Serializer):
    file = FileSerializer()


class SearchMatchSerializer(serializers.Serializer):
    message = MessageSerializer()
    channel = ChannelSerializer()
    snippet = serializers.CharField(help_text="The text around the match; \\ue000 and \\ue001 wrap each hit.")
    score = serializers.FloatField(help_text="Relevance (ts_rank on PostgreSQL).")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    matches = SearchMatchSerializer(many=True)
    next = serializers.CharField(allow_null=True)


# --- Requests ---------------------------------------------------------------------------------


class CursorQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=200, help_text="From the previous page's `next`.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=100)


class BrowseQuerySerializer(CursorQuerySerializer):
    include_archived = serializers.BooleanField(required=False, default=False)


class ChannelCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    is_private = serializers.BooleanField(required=False, default=False)
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    purpose = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ChannelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200, trim_whitespace=False)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class UserIdsSerializer(serializers.Serializer):
    users = serializers.ListField(child=public_id_field(), max_length=1000, help_text="Public user ids (U…).")


class InviteSerializer(UserIdsSerializer):
    users = serializers.ListField(child=public_id_field(), min_length=1, max_length=1000)


class HistoryQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SEQ, help_text="Older than seq.")
    after = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_SEQ, help_text="Newer than seq, oldest first."
    )
    around = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_SEQ, help_text="Centred on seq, newest first."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=HISTORY_MAX_LIMIT, default=50)
    include_replies = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if "around" in attrs and ("before" in attrs or "after" in attrs):
            raise serializers.ValidationError({"around": "around cannot be combined with before or after."})
        return attrs


class ThreadQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_SEQ)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=HISTORY_MAX_LIMIT, default=50)


BLOCKS_HELP = "Slack's Block Kit blocks; checked as Slack checks them (invalid_blocks, with the JSON pointer)."
ATTACHMENTS_HELP = "Slack's legacy message attachments (invalid_attachments, with the JSON pointer)."


class MessagePostSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=100_000, required=False, default=""
    )
    blocks = serializers.ListField(child=serializers.DictField(), required=False, help_text=BLOCKS_HELP)
    attachments = serializers.ListField(child=serializers.DictField(), required=False, help_text=ATTACHMENTS_HELP)
    thread_ts = ts_field(required=False, allow_null=True, help_text="Reply in the thread of this message.")
    client_msg_id = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)
    reply_broadcast = serializers.BooleanField(required=False, default=False)
    unfurl_links = serializers.BooleanField(
        required=False, default=True, help_text="False: no previews of the message's links (nor link_shared)."
    )
    unfurl_media = serializers.BooleanField(required=False, default=True, help_text="False: previews without images.")


class MessageEditSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)
    blocks = serializers.ListField(
        child=serializers.DictField(), required=False, help_text=f"{BLOCKS_HELP} Left out: kept; [] removes them."
    )
    attachments = serializers.ListField(child=serializers.DictField(), required=False, help_text=ATTACHMENTS_HELP)


class MessageForwardSerializer(serializers.Serializer):
    channel = public_id_field(help_text="Where the copy goes: a channel or DM you can post in.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000)


class ReactionAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="An emoji shortcode without colons, e.g. thumbsup.")


class MarkReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=0, max_value=MAX_SEQ)


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    text = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=100_000
    )
    thread_ts = ts_field(required=False, allow_null=True)
    client_msg_id = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=500,
        help_text='Words, "quoted phrases" and modifiers: in:#channel from:@user before:YYYY-MM-DD '
        "after:YYYY-MM-DD on:YYYY-MM-DD has:link has:file has:reaction is:thread.",
    )
    sort = serializers.ChoiceField(choices=["timestamp", "score"], required=False, default="timestamp")
    cursor = serializers.CharField(required=False, max_length=200)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)
    prefix = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Search as you type: the last word is still being typed, so it matches as a prefix "
        "(as `word*` does).",
    )


# --- Custom emoji ----------------------------------------------------------------------

EMOJI_NAME_PATTERN = r"^:?[a-z0-9_-]{1,100}:?$"


class CustomEmojiSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField(help_text="Slack's emoji.list value: the image's URL, or alias:<name>.")
    url = serializers.CharField(
        allow_null=True, help_text="The image (members of the workspace only); null for an alias."
    )
    alias_for = serializers.CharField(allow_null=True)
    is_animated = serializers.BooleanField()
    created_by = serializers.CharField(allow_null=True)
    created = serializers.IntegerField()
    can_remove = serializers.BooleanField()


class CustomEmojiListSerializer(serializers.Serializer):
    emoji = CustomEmojiSerializer(many=True)
    can_add = serializers.BooleanField(help_text="Whether the reader may add emoji here.")
    add_policy = serializers.ChoiceField(choices=["everyone", "admins"])


class CustomEmojiOutSerializer(serializers.Serializer):
    emoji = CustomEmojiSerializer()


class CustomEmojiRemovedSerializer(serializers.Serializer):
    names = serializers.ListField(child=serializers.CharField(), help_text="The emoji and the aliases removed with it.")


class EmojiAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=102, help_text="Lower-case letters, digits, - and _; colons are dropped.")
    image = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="PNG, JPEG, GIF or WebP, at most 2 MB."
    )


class EmojiAliasSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=102, help_text="The new name.")
    alias_for = serializers.CharField(max_length=200, help_text="A custom or standard emoji's name.")
