import type { ErrorSummary } from '../../domain/errors.ts';
import { inlineCode, mrkdwn } from '../escape.ts';
import { type Blocks, errorText, section } from './format.ts';

/**
 * The status message of a build the bot accepted but could not queue (its audit record or the queue itself was
 * unreachable). No job exists, so there is nothing to retry: the message says so and offers no Retry button,
 * whose handler looks the build up in the queue and would only answer "no build".
 */
export function notQueuedMessage(
  buildId: string,
  source: string,
  error: ErrorSummary,
): { text: string; blocks: Blocks } {
  const id = inlineCode(buildId, 40);
  return {
    text: `:warning: ISO build ${buildId.slice(0, 40)} not queued: ${mrkdwn(source, 200)}`,
    blocks: [
      section(`:warning: *ISO build ${id}* — not queued`),
      section(errorText(error)),
      section('Nothing was built and nothing is waiting. Submit the build again once the service is back.'),
    ],
  };
}
