"""An ordinary Bolt for Python app over HTTP, as one is written for Slack: only its Web API base URL points
elsewhere. The tests run it as a process of its own (SLACK_API_URL, BOT_TOKEN, SIGNING_SECRET, PORT)."""

import os

from slack_bolt import App
from slack_sdk import WebClient

app = App(
    client=WebClient(token=os.environ["BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SIGNING_SECRET"],
)


@app.message("ping")
def pong(message, say):
    say(f"pong to <@{message['user']}>")


@app.event("app_mention")
def mentioned(event, say):
    say(text="at your service", thread_ts=event["ts"])


@app.command("/deploy")
def deploy(ack, respond, command):
    ack()
    respond(response_type="in_channel", text=f"deploying {command['text']}")
    respond(replace_original=True, text=f"deployed {command['text']}")


if __name__ == "__main__":
    app.start(port=int(os.environ["PORT"]))
