import type { App, RespondFn } from '@slack/bolt';
import { asAppError } from '../../domain/errors.ts';
import { listLiveWorkers } from '../../queue/worker-registry.ts';
import { SLASH_COMMAND } from '../action-ids.ts';
import {
  buildListReply,
  helpReply,
  parseCommandText,
  presetsReply,
  statusReply,
} from '../messages/command-replies.ts';
import { workersReply } from '../messages/workers-reply.ts';
import { modalArchChoices } from '../views/arch-choices.ts';
import { createModalViewCache } from '../views/modal-view-cache.ts';
import { presetsForForm } from '../views/registry-logins.ts';
import { cancelBuild, retryBuild } from './build-actions.ts';
import type { HandlerDeps } from './handler-deps.ts';
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
export function registerCommand(app: App, deps: HandlerDeps): void {
  const modalView = createModalViewCache({
    presets: presetsForForm(deps.config),
    defaultBuilder: deps.config.defaultBuilder,
  });
  app.command(SLASH_COMMAND, async ({ command, ack, client, respond }) => {
    const parsed = parseCommandText(command.text);
    if ('error' in parsed) {
      await ack(helpReply(parsed.error));
      return;
    }
    const who = { userId: command.user_id, channelId: command.channel_id };
    // Everything after the ack runs as a background task, so that a burst of commands is acked first (issue 6).
    const afterAck = (run: () => Promise<void>, lane: 'urgent' | 'normal' = 'normal') =>
      deps.background.run(
        `command ${parsed.command}`,
        () =>
          run().catch(async (error: unknown) => {
            const e = asAppError(error);
            deps.logger.error(
              { error: String(error), command: parsed.command, userId: who.userId },
              'command failed',
            );
            await answer(respond, { text: `Sorry, that did not work: ${e.message}` }).catch(() => undefined);
          }),
        lane,
      );
    switch (parsed.command) {
      case 'build': {
        // The trigger id lives 3 s: views.open goes first among the post-ack work (the urgent lane). The live-arch
        // read is shared by concurrent commands and capped at LIVE_ARCHES_TIMEOUT_MS.
        const live = deps.liveArches(LIVE_ARCHES_TIMEOUT_MS);
        // Read from the same cached heartbeats: where RHEL ISOs can be built now, for the preset hint.
        const entitled = deps.liveArches(LIVE_ARCHES_TIMEOUT_MS, ['rhel-entitlement']);
        await ack();
        afterAck(async () => {
          const arches = modalArchChoices(await live);
          const entitledArches = await entitled;
          const token = parsed.args[0];
          const prefill =
            token === undefined
              ? {}
              : Object.hasOwn(deps.config.presets, token)
                ? { preset: token }
                : { image: token };
          const view = modalView({
            arches: arches.arches,
            offlineArches: arches.offline,
            ...(entitledArches ? { entitledArches } : {}),
            channelId: command.channel_id,
            prefill,
          });
          // Sent as the JSON string the form encoding carries anyway, so the WebClient does not deep-copy the
          // view for its debug line (see blocksArg in slack-poster.ts).
          await client.views.open({ trigger_id: command.trigger_id, view: view as never });
        }, 'urgent');
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
        afterAck(async () => answer(respond, workersReply(await listLiveWorkers(deps.queues.connection))));
        return;
      case 'status': {
        await ack();
        afterAck(async () => {
          const status = await buildStatusOf(deps, parsed.args[0] ?? '');
          await answer(respond, status ? statusReply(status) : { text: `No build \`${parsed.args[0]}\`.` });
        });
        return;
      }
      case 'list': {
        await ack();
        const scope = (parsed.args[0] ?? 'mine') as 'mine' | 'channel' | 'all';
        afterAck(async () => answer(respond, buildListReply(await listBuilds(deps, scope, who), scope)));
        return;
      }
      case 'cancel':
        await ack();
        afterAck(async () =>
          answer(respond, { text: await cancelBuild(deps, parsed.args[0] ?? '', who.userId) }),
        );
        return;
      case 'retry':
        await ack();
        afterAck(async () =>
          answer(respond, { text: await retryBuild(deps, parsed.args[0] ?? '', who.userId) }),
        );
        return;
    }
  });
}
