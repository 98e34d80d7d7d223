import type { App, RespondFn } from '@slack/bolt';
import { asAppError } from '../../domain/errors.ts';
import { listLiveWorkers, liveArchesWithin } from '../../queue/worker-registry.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import {
  buildListReply,
  helpReply,
  parseCommandText,
  presetsReply,
  statusReply,
} from '../messages/command-replies.ts';
import { workersReply } from '../messages/workers-reply.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { modalArchChoices } from '../views/arch-choices.ts';
import { buildModalView } from '../views/build-modal.ts';
import { cancelBuild, retryBuild } from './build-actions.ts';
import { buildStatusOf, listBuilds } from './list-builds.ts';

/** The live-arch read may delay views.open by at most this much; past it every arch is offered (issue 4 §3). */
const LIVE_ARCHES_TIMEOUT_MS = 500;

async function answer(respond: RespondFn, message: { text: string; blocks?: unknown[] }) {
  await respond({
    response_type: 'ephemeral',
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks as never } : {}),
  });
}

/** `/bootc-iso <subcommand>`: every answer to the person is ephemeral; build status goes to the channel. */
export function registerCommand(app: App, deps: SlackDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const parsed = parseCommandText(command.text);
    if ('error' in parsed) {
      await ack(helpReply(parsed.error));
      return;
    }
    const who = { userId: command.user_id, channelId: command.channel_id };
    try {
      switch (parsed.command) {
        case 'build': {
          // The trigger id lives 3 s: ack, then open the modal with nothing slow in between (the one Redis read,
          // started before the ack, is capped at LIVE_ARCHES_TIMEOUT_MS).
          const live = liveArchesWithin(deps.queues.connection, LIVE_ARCHES_TIMEOUT_MS);
          await ack();
          const arches = modalArchChoices(await live);
          const token = parsed.args[0];
          const prefill =
            token === undefined
              ? {}
              : Object.hasOwn(deps.config.presets, token)
                ? { preset: token }
                : { image: token };
          await client.views.open({
            trigger_id: command.trigger_id,
            view: buildModalView({
              presets: deps.config.presets,
              defaultBuilder: deps.config.defaultBuilder,
              arches: arches.arches,
              offlineArches: arches.offline,
              channelId: command.channel_id,
              prefill,
            }) as never,
          });
          return;
        }
        case 'help':
          await ack(helpReply());
          return;
        case 'presets':
          await ack(presetsReply(deps.config));
          return;
        case 'workers':
          await ack();
          await answer(respond, workersReply(await listLiveWorkers(deps.queues.connection)));
          return;
        case 'status': {
          await ack();
          const status = await buildStatusOf(deps, parsed.args[0] ?? '');
          await answer(respond, status ? statusReply(status) : { text: `No build \`${parsed.args[0]}\`.` });
          return;
        }
        case 'list': {
          await ack();
          const scope = (parsed.args[0] ?? 'mine') as 'mine' | 'channel' | 'all';
          await answer(respond, buildListReply(await listBuilds(deps, scope, who), scope));
          return;
        }
        case 'cancel':
          await ack();
          await answer(respond, { text: await cancelBuild(deps, parsed.args[0] ?? '', who.userId) });
          return;
        case 'retry':
          await ack();
          await answer(respond, { text: await retryBuild(deps, parsed.args[0] ?? '', who.userId) });
          return;
      }
    } catch (error) {
      const e = asAppError(error);
      deps.logger.error(
        { error: String(error), command: parsed.command, userId: who.userId },
        'command failed',
      );
      await answer(respond, { text: `Sorry, that did not work: ${e.message}` }).catch(() => undefined);
    }
  });
}
