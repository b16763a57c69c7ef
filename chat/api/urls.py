"""Routes of the chat API (mounted under /api/v1/ by slackclone.api.urls)."""

from django.urls import path

from chat.api.views import channels, emoji, files, inbox, messages, reactions, search, sidebar, threads, unfurls

workspace_patterns = [
    path("workspaces/<pubid:workspace_id>/channels", channels.ChannelCollectionView.as_view(), name="channels"),
    path(
        "workspaces/<pubid:workspace_id>/channels/browse", channels.ChannelBrowseView.as_view(), name="channels-browse"
    ),
    path("workspaces/<pubid:workspace_id>/dms", channels.DmOpenView.as_view(), name="dms"),
    path("workspaces/<pubid:workspace_id>/unread", inbox.UnreadCountsView.as_view(), name="unread"),
    path("workspaces/<pubid:workspace_id>/mentions", inbox.MentionsInboxView.as_view(), name="mentions"),
    path("workspaces/<pubid:workspace_id>/sidebar", sidebar.SidebarView.as_view(), name="sidebar"),
    path(
        "workspaces/<pubid:workspace_id>/sidebar/sections",
        sidebar.SectionCollectionView.as_view(),
        name="sidebar-sections",
    ),
    path(
        "workspaces/<pubid:workspace_id>/sidebar/sections/<slug:section_id>",
        sidebar.SectionView.as_view(),
        name="sidebar-section",
    ),
    path(
        "workspaces/<pubid:workspace_id>/sidebar/channels/<pubid:channel_id>",
        sidebar.ChannelPlacementView.as_view(),
        name="sidebar-channel",
    ),
    path("workspaces/<pubid:workspace_id>/search", search.SearchView.as_view(), name="search"),
    path("workspaces/<pubid:workspace_id>/threads", threads.ThreadListView.as_view(), name="threads"),
    path("workspaces/<pubid:workspace_id>/threads/unread", threads.UnreadThreadsView.as_view(), name="threads-unread"),
    path(
        "workspaces/<pubid:workspace_id>/threads/preferences",
        threads.ThreadPreferencesView.as_view(),
        name="threads-preferences",
    ),
    path(
        "workspaces/<pubid:workspace_id>/threads/<pubid:channel_id>/<ts:ts>/follow",
        threads.ThreadFollowView.as_view(),
        name="thread-follow",
    ),
    path(
        "workspaces/<pubid:workspace_id>/threads/<pubid:channel_id>/<ts:ts>/read",
        threads.ThreadReadView.as_view(),
        name="thread-read",
    ),
    path("workspaces/<pubid:workspace_id>/emoji", emoji.EmojiCollectionView.as_view(), name="emoji"),
    path(
        "workspaces/<pubid:workspace_id>/emoji-aliases", emoji.EmojiAliasCollectionView.as_view(), name="emoji-aliases"
    ),
    path("workspaces/<pubid:workspace_id>/emoji/<emoji:name>", emoji.EmojiView.as_view(), name="emoji-detail"),
    path(
        "workspaces/<pubid:workspace_id>/emoji-images/<emojikey:key>",
        emoji.EmojiImageView.as_view(),
        name="emoji-image",
    ),
]

channel_patterns = [
    path("channels/<pubid:channel_id>", channels.ChannelDetailView.as_view(), name="channel"),
    path("channels/<pubid:channel_id>/archive", channels.ChannelArchiveView.as_view(), name="channel-archive"),
    path("channels/<pubid:channel_id>/unarchive", channels.ChannelUnarchiveView.as_view(), name="channel-unarchive"),
    path("channels/<pubid:channel_id>/join", channels.ChannelJoinView.as_view(), name="channel-join"),
    path("channels/<pubid:channel_id>/leave", channels.ChannelLeaveView.as_view(), name="channel-leave"),
    path("channels/<pubid:channel_id>/members", channels.ChannelMembersView.as_view(), name="channel-members"),
    path(
        "channels/<pubid:channel_id>/members/<pubid:user_id>",
        channels.ChannelMemberView.as_view(),
        name="channel-member",
    ),
    path("channels/<pubid:channel_id>/read", messages.MarkReadView.as_view(), name="channel-read"),
    path(
        "channels/<pubid:channel_id>/read-receipts", messages.ReadReceiptsView.as_view(), name="channel-read-receipts"
    ),
    path("channels/<pubid:channel_id>/prefs", channels.ChannelPrefsView.as_view(), name="channel-prefs"),
    path("channels/<pubid:channel_id>/pins", reactions.PinListView.as_view(), name="channel-pins"),
    path("channels/<pubid:channel_id>/files", files.FileUploadView.as_view(), name="channel-files"),
    path("channels/<pubid:channel_id>/messages", messages.MessageCollectionView.as_view(), name="messages"),
    path("channels/<pubid:channel_id>/messages/<ts:ts>", messages.MessageDetailView.as_view(), name="message"),
    path(
        "channels/<pubid:channel_id>/messages/<ts:ts>/forward",
        messages.MessageForwardView.as_view(),
        name="message-forward",
    ),
    path(
        "channels/<pubid:channel_id>/messages/<ts:ts>/replies",
        messages.ThreadRepliesView.as_view(),
        name="message-replies",
    ),
    path(
        "channels/<pubid:channel_id>/messages/<ts:ts>/reactions",
        reactions.ReactionCollectionView.as_view(),
        name="message-reactions",
    ),
    path(
        "channels/<pubid:channel_id>/messages/<ts:ts>/reactions/<emoji:name>",
        reactions.ReactionView.as_view(),
        name="message-reaction",
    ),
    path("channels/<pubid:channel_id>/messages/<ts:ts>/pin", reactions.PinView.as_view(), name="message-pin"),
    path(
        "channels/<pubid:channel_id>/messages/<ts:ts>/unfurls",
        unfurls.MessageUnfurlView.as_view(),
        name="message-unfurls",
    ),
]

file_patterns = [
    path("files/<pubid:file_id>", files.FileDetailView.as_view(), name="file"),
    path("files/<pubid:file_id>/content", files.FileContentView.as_view(), name="file-content"),
    path("files/<pubid:file_id>/thumbnail", files.FileThumbnailView.as_view(), name="file-thumbnail"),
    path("link-previews/<str:key>", unfurls.LinkPreviewImageView.as_view(), name="link-preview-image"),
]

urlpatterns = workspace_patterns + channel_patterns + file_patterns
