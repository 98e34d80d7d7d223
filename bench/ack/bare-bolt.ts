// The baseline of the ack benchmark: the project's own Bolt app (createSlackApp: same HTTP receiver, signature
// check, client options and /healthz) with listeners that only ack. No Redis, no Web API calls.

import { BUILD_MODAL_CALLBACK, SLASH_COMMAND } from '../../src/slack/action-ids.ts';
import { createSlackApp } from '../../src/slack/create-app.ts';

const env = process.env;
const app = createSlackApp(
  {
    botToken: env.SLACK_BOT_TOKEN ?? '',
    signingSecret: env.SLACK_SIGNING_SECRET ?? '',
    port: Number(env.PORT),
    ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
  },
  async () => ({ ok: true, detail: {} }),
);
app.command(SLASH_COMMAND, async ({ ack }) => {
  await ack();
});
app.view(BUILD_MODAL_CALLBACK, async ({ ack }) => {
  await ack();
});
await app.start(Number(env.PORT));
process.stdout.write('bare bolt ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.stop().finally(() => process.exit(0));
  });
}
