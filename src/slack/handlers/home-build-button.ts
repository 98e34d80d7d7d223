import type { App } from '@slack/bolt';
import { HOME_BUILD_ACTION } from '../views/app-home.ts';
import { modalArchChoices } from '../views/arch-choices.ts';
import { createModalViewCache } from '../views/modal-view-cache.ts';
import type { HandlerDeps } from './handler-deps.ts';

/** The live-arch read may delay views.open this long at most, as for the slash command. */
const LIVE_ARCHES_TIMEOUT_MS = 500;

/**
 * The home tab's Build button: the same modal as `/bootc-iso build`. A home tab has no channel, so the status
 * message goes to the person's DM with the app (posting to a user id lands there).
 */
export function registerHomeBuildButton(app: App, deps: HandlerDeps): void {
  const modalView = createModalViewCache({
    presets: deps.config.presets,
    defaultBuilder: deps.config.defaultBuilder,
  });
  app.action(HOME_BUILD_ACTION, async ({ ack, body, client }) => {
    const live = deps.liveArches(LIVE_ARCHES_TIMEOUT_MS);
    await ack();
    const triggerId = 'trigger_id' in body ? body.trigger_id : undefined;
    if (triggerId === undefined) return;
    deps.background.run(
      'home build button',
      async () => {
        try {
          const arches = modalArchChoices(await live);
          const view = modalView({
            arches: arches.arches,
            offlineArches: arches.offline,
            channelId: body.user.id,
          });
          await client.views.open({ trigger_id: triggerId, view: view as never });
        } catch (error) {
          deps.logger.warn({ error: String(error), userId: body.user.id }, 'could not open the build form');
        }
      },
      'urgent',
    );
  });
}
