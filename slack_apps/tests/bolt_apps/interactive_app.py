"""An ordinary interactive Bolt for Python app, written as one is for Slack (only its Web API base URL points
elsewhere): an approval message with a button and a menu, a modal that checks its input, a message shortcut
and a Home tab. The browser tests run it in Socket Mode against a live server."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

APPROVAL_TEXT = "Deploy api to production?"
ENVIRONMENTS = [("Staging", "staging"), ("Production", "production")]


def _option(text: str, value: str) -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def approval_blocks(status: str = "Waiting for approval") -> list[dict]:
    return [
        {"type": "section", "block_id": "ask", "text": {"type": "mrkdwn", "text": f"*{APPROVAL_TEXT}*"}},
        {"type": "context", "block_id": "status", "elements": [{"type": "mrkdwn", "text": status}]},
        {
            "type": "actions",
            "block_id": "decide",
            "elements": [
                {"type": "button", "action_id": "approve", "style": "primary", "value": "api",
                 "text": {"type": "plain_text", "text": "Approve"}},
                {"type": "static_select", "action_id": "environment",
                 "placeholder": {"type": "plain_text", "text": "Environment"},
                 "options": [_option(text, value) for text, value in ENVIRONMENTS]},
                {"type": "button", "action_id": "request", "text": {"type": "plain_text", "text": "Request a change"}},
            ],
        },
    ]  # fmt: skip


def request_modal(callback_id: str, title: str) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            }
        ],
    }


def build(bot_token: str, api_url: str, channel_id: str) -> App:
    """The app, posting its results in `channel_id`."""
    app = App(client=WebClient(token=bot_token, base_url=api_url))

    @app.action("approve")
    def approve(ack, body, client):
        ack()
        status = f"Approved by <@{body['user']['id']}>"
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text=status,
                           blocks=approval_blocks(status))  # fmt: skip

    @app.action("environment")
    def environment(ack, body, client):
        ack()
        chosen = body["actions"][0]["selected_option"]["text"]["text"]
        status = f"Environment: {chosen}"
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text=status,
                           blocks=approval_blocks(status))  # fmt: skip

    @app.action("request")
    def request(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=request_modal("change_request", "Request a change"))

    @app.shortcut("make_task")
    def make_task(ack, shortcut, client):
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=request_modal("task", "Make a task"))

    @app.view("change_request")
    @app.view("task")
    def submitted(ack, body, view, client):
        reason = view["state"]["values"]["reason"]["value"]["value"] or ""
        if len(reason.strip()) < 5:
            ack(response_action="errors", errors={"reason": "Please say a little more (5 characters at least)."})
            return
        ack()
        kind = "Task" if view["callback_id"] == "task" else "Change request"
        client.chat_postMessage(channel=channel_id, text=f"{kind} from <@{body['user']['id']}>: {reason.strip()}")

    @app.event("app_home_opened")
    def home(event, client):
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": "Deployer home"}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Nothing is deploying right now."}},
                ],
            },
        )

    return app
