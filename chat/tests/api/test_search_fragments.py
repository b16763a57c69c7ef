"""Search finds fragments: CJK text inside a sentence, identifiers, words inside longer words, prefixes."""

from __future__ import annotations

import pytest

from chat.services import channel_create, channel_invite, message_post
from slackclone.testing.api import error_code
from slackclone.testing.factories import workspace_with_owner

START, STOP = "\ue000", "\ue001"


def search(client, team, q, **params):
    return client.get(f"/api/v1/workspaces/{team.workspace.public_id}/search", {"q": q, **params})


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [match["message"]["text"] for match in response.json()["matches"]]


def snippets(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [match["snippet"] for match in response.json()["matches"]]


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("明天下午三点在三楼会议室开会", "会议室"),
        ("明天下午三点在三楼会议室开会", "会议"),
        ("来週の金曜日にデプロイします", "デプロイ"),
        ("来週の金曜日にデプロイします", "金曜日"),
        ("내일 오후에 서버를 배포했습니다", "배포"),
        ("내일 오후에 서버를 배포했습니다", "서버를"),
    ],
)
def test_chinese_japanese_and_korean_words_are_found_inside_a_sentence(team, client_for, sentence, word):
    message_post(sender=team.owner, channel=team.general, text=sentence)
    message_post(sender=team.owner, channel=team.general, text="nothing in common here")
    response = search(client_for(team.member), team, word)
    assert texts(response) == [sentence]
    assert snippets(response) == [sentence.replace(word, f"{START}{word}{STOP}", 1)]


def test_a_single_cjk_character_is_too_short_to_search(team, client_for):
    response = search(client_for(team.member), team, "会")
    assert (response.status_code, error_code(response)) == (400, "invalid_arguments")


def test_identifiers_are_found_by_a_part(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="run deploy_script.sh before noon")
    message_post(sender=team.owner, channel=team.general, text="the deploy script is broken")
    message_post(sender=team.owner, channel=team.general, text="see config.load_settings() and v2.3.1")
    client = client_for(team.member)
    assert texts(search(client, team, "deploy_scr")) == ["run deploy_script.sh before noon"]
    assert snippets(search(client, team, "deploy_scr")) == [f"run {START}deploy_scr{STOP}ipt.sh before noon"]
    assert texts(search(client, team, "config.load")) == ["see config.load_settings() and v2.3.1"]
    assert texts(search(client, team, "2.3.1")) == ["see config.load_settings() and v2.3.1"]


def test_words_are_found_inside_compound_words(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="the kubernetesOperator restarted twice")
    message_post(sender=team.owner, channel=team.general, text="we moved to Kubernetes last year")
    message_post(sender=team.owner, channel=team.general, text="nothing to do with containers")
    client = client_for(team.member)
    response = search(client, team, "Kubernetes")
    assert texts(response) == ["we moved to Kubernetes last year", "the kubernetesOperator restarted twice"]
    assert snippets(response)[1] == f"the {START}kubernetes{STOP}Operator restarted twice"
    assert texts(search(client, team, "operator")) == ["the kubernetesOperator restarted twice"]


def test_stemming_still_works_beside_compound_words(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="we deploy on fridays")
    message_post(sender=team.owner, channel=team.general, text="the redeployment went fine")
    assert texts(search(client_for(team.member), team, "deploying")) == ["we deploy on fridays"]
    assert texts(search(client_for(team.member), team, "deploy")) == [
        "the redeployment went fine",
        "we deploy on fridays",
    ]


def test_prefix_with_a_star_and_as_you_type(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="the migration finished")
    message_post(sender=team.owner, channel=team.general, text="migrating the users table")
    message_post(sender=team.owner, channel=team.general, text="nothing else")
    client = client_for(team.member)
    both = ["migrating the users table", "the migration finished"]
    assert texts(search(client, team, "migr*")) == both
    assert texts(search(client, team, "the migr", prefix="true")) == both
    assert texts(search(client, team, "migrati", prefix="true")) == both
    assert texts(search(client, team, "m", prefix="true")) == both
    assert texts(search(client, team, "users migr*")) == ["migrating the users table"]


def test_as_you_type_pages_keep_the_prefix(team, client_for):
    for i in range(3):
        message_post(sender=team.owner, channel=team.general, text=f"migration {i}")
    client = client_for(team.member)
    first = search(client, team, "migrat", prefix="true", limit=2).json()
    second = client.get(first["next"]).json()
    assert [m["message"]["text"] for m in first["matches"] + second["matches"]] == [
        "migration 2",
        "migration 1",
        "migration 0",
    ]


def test_percent_and_underscore_are_taken_literally(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="cpu at 100% again")
    message_post(sender=team.owner, channel=team.general, text="cpu at 1000 again")
    message_post(sender=team.owner, channel=team.general, text="set max_rows please")
    message_post(sender=team.owner, channel=team.general, text="set maxXrows please")
    message_post(sender=team.owner, channel=team.general, text=r"path C:\temp\x")
    client = client_for(team.member)
    assert texts(search(client, team, "100%")) == ["cpu at 100% again"]
    assert texts(search(client, team, "max_rows")) == ["set max_rows please"]
    assert texts(search(client, team, "%")) == []
    assert texts(search(client, team, "_*")) == ["set max_rows please"]
    assert texts(search(client, team, r"\temp*")) == [r"path C:\temp\x"]


def test_fragments_combine_with_modifiers_and_exclusions(team, client_for):
    project = channel_create(actor=team.owner, workspace=team.workspace, name="project")
    channel_invite(actor=team.owner, channel=project, users=[team.member])
    message_post(sender=team.owner, channel=project, text="会议室 booked for project")
    message_post(sender=team.member, channel=team.general, text="会议室 booked for all")
    message_post(sender=team.member, channel=team.general, text="会议室 cancelled: old_plan")
    client = client_for(team.member)
    assert texts(search(client, team, "会议室 in:#project")) == ["会议室 booked for project"]
    assert texts(search(client, team, "会议室 from:me")) == ["会议室 cancelled: old_plan", "会议室 booked for all"]
    assert texts(search(client, team, "会议室 -old_plan from:me")) == ["会议室 booked for all"]
    assert texts(search(client, team, "会议室 booked -project")) == ["会议室 booked for all"]


def test_sort_by_score_counts_fragments(team, client_for):
    message_post(sender=team.owner, channel=team.general, text="会议 会议 会议")
    message_post(sender=team.owner, channel=team.general, text="一个会议")
    client = client_for(team.member)
    assert texts(search(client, team, "会议", sort="score")) == ["会议 会议 会议", "一个会议"]
    first = search(client, team, "会议", sort="score", limit=1).json()
    second = client.get(first["next"]).json()
    assert [m["message"]["text"] for m in first["matches"] + second["matches"]] == ["会议 会议 会议", "一个会议"]


def test_fragments_find_only_what_the_searcher_may_read(team, client_for):
    secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
    message_post(sender=team.owner, channel=secret, text="秘密会议 deploy_secret")
    message_post(sender=team.owner, channel=team.random, text="公开会议 deploy_public")
    guest_room = channel_create(actor=team.owner, workspace=team.workspace, name="guests")
    channel_invite(actor=team.owner, channel=guest_room, users=[team.guest])
    message_post(sender=team.owner, channel=guest_room, text="访客会议 deploy_guest")
    elsewhere = workspace_with_owner(team.owner)
    message_post(sender=team.owner, channel=elsewhere.channels.get(name="general"), text="别处会议 deploy_away")
    everything = ["访客会议 deploy_guest", "公开会议 deploy_public", "秘密会议 deploy_secret"]
    for q in ["会议", "deploy_", "deplo*"]:
        assert texts(search(client_for(team.owner), team, q)) == everything, q
        assert texts(search(client_for(team.member), team, q)) == everything[:2], q
        assert texts(search(client_for(team.member), team, f"{q} in:#secret")) == [], q
        assert texts(search(client_for(team.guest), team, q)) == everything[:1], q
        assert texts(search(client_for(team.owner), team, q, prefix="true")) == everything, q
