"""The embedded default (SQLite, as `make run` uses it) finds fragments as PostgreSQL does.

A fresh SQLite database is migrated in a child process (the trigram migration does nothing there)
and searched through chat.search, the one entry point every surface calls.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slackclone.tests.subprocess_env import clean_env, run_manage, run_python

pytestmark = pytest.mark.integration

SEARCH_SCRIPT = """
import json, django
django.setup()
from chat.search import search_messages
from chat.services import channel_create, message_post
from slackclone.testing.factories import make_team
from workspaces.models import Membership

team = make_team()
secret = channel_create(actor=team.owner, workspace=team.workspace, name="secret", is_private=True)
message_post(sender=team.owner, channel=secret, text="秘密会议室")
for text in ["明天在会议室开会", "来週の金曜日にデプロイします", "내일 서버를 배포했습니다", "run deploy_script.sh",
             "the kubernetesOperator restarted", "cpu at 100% again", "cpu at 1000 again", "migrating now"]:
    message_post(sender=team.owner, channel=team.general, text=text)
membership = Membership.objects.get(user=team.member, workspace=team.workspace)
found = {}
for q, typing in [("会议室", False), ("デプロイ", False), ("배포", False), ("deploy_scr", False),
                  ("Kubernetes", False), ("100%", False), ("migr*", False), ("mig", True)]:
    results = search_messages(user=team.member, workspace=team.workspace, membership=membership, q=q, typing=typing)
    found[q] = [[match.message.text, match.snippet] for match in results.matches]
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = clean_env(tmp_path_factory.mktemp("embedded-search") / "var")
    Path(env["SLACKCLONE_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    migrate = run_manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    return env


def test_sqlite_finds_cjk_identifiers_compound_words_and_prefixes(embedded_env):
    run = run_python(SEARCH_SCRIPT, embedded_env, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found == {
        "会议室": [["明天在会议室开会", "明天在\ue000会议室\ue001开会"]],
        "デプロイ": [["来週の金曜日にデプロイします", "来週の金曜日に\ue000デプロイ\ue001します"]],
        "배포": [["내일 서버를 배포했습니다", "내일 서버를 \ue000배포\ue001했습니다"]],
        "deploy_scr": [["run deploy_script.sh", "run \ue000deploy_scr\ue001ipt.sh"]],
        "Kubernetes": [["the kubernetesOperator restarted", "the \ue000kubernetes\ue001Operator restarted"]],
        "100%": [["cpu at 100% again", "cpu at \ue000100%\ue001 again"]],
        "migr*": [["migrating now", "\ue000migr\ue001ating now"]],
        "mig": [["migrating now", "\ue000mig\ue001rating now"]],
    }
