// An ordinary Bolt for JavaScript app in Socket Mode, as one is written for Slack: only the Web API's
// base URL points elsewhere (for its own calls and for apps.connections.open). The tests run it with
// SLACK_API_URL, BOT_TOKEN and APP_TOKEN.

import bolt from "@slack/bolt";

const slackApiUrl = process.env.SLACK_API_URL;
const app = new bolt.App({
  token: process.env.BOT_TOKEN,
  appToken: process.env.APP_TOKEN,
  socketMode: true,
  clientOptions: { slackApiUrl },
  installerOptions: { clientOptions: { slackApiUrl } },
});

app.message("ping", async ({ message, say }) => {
  await say(`pong to <@${message.user}>`);
});

app.event("app_mention", async ({ event, say }) => {
  await say({ text: "at your service", thread_ts: event.ts });
});

app.command("/standup", async ({ ack, respond, command }) => {
  await ack();
  await respond({ response_type: "in_channel", text: `stand-up: ${command.text}` });
});

await app.start();
console.log("bolt app started");
