import type { BackgroundTasks } from '../background/background-tasks.ts';
import type { LiveArchesReader } from '../background/live-arches-cache.ts';
import type { SlackDeps } from '../slack-deps.ts';

/** What the listeners need on top of SlackDeps: where post-ack work runs, and the shared live-arch read. */
export interface HandlerDeps extends SlackDeps {
  background: BackgroundTasks;
  liveArches: LiveArchesReader;
}
