import type { App } from '@slack/bolt';
import type { SlackDeps } from '../slack-deps.ts';
import { appHomeView } from '../views/app-home.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { listBuilds } from './list-builds.ts';

/**
 * Renders and publishes one person's home tab: their own builds only (the 'mine' scope, whatever their rights in
 * channels), so a home tab never shows someone else's download links.
 */
export async function publishAppHome(deps: SlackDeps, client: App['client'], userId: string): Promise<void> {
  const builds = await listBuilds(deps, 'mine', { userId, channelId: '' });
  const view = appHomeView({ builds, presets: deps.config.presets });
  await client.views.publish({ user_id: userId, view });
}

/** `app_home_opened` on the Home tab: publish a fresh view (Bolt acks the event itself). */
export function registerAppHomeOpened(app: App, deps: HandlerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    // The Messages tab sends this event too; only the Home tab has a view to refresh.
    if (event.tab !== 'home') return;
    deps.background.run('app home', async () => {
      try {
        await publishAppHome(deps, client, event.user);
      } catch (error) {
        deps.logger.warn({ error: String(error), userId: event.user }, 'could not publish the home tab');
      }
    });
  });
}
