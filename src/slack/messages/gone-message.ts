import { inlineCode } from '../escape.ts';
import { actorText, type Blocks, section } from './format.ts';

/**
 * The status message of a build whose job no longer exists: removed from the queue by a cancel outside Slack (the
 * CLI), or by an operator or retention. Without this the channel would keep showing "queued" for a build that will
 * never run. Needs nothing but the id, since the job (and with it the request) is gone.
 */
export function goneMessage(
  buildId: string,
  cancelledBy: string | undefined,
): { text: string; blocks: Blocks } {
  const id = inlineCode(buildId, 40);
  if (cancelledBy !== undefined) {
    const who = actorText(cancelledBy);
    return {
      text: `:no_entry_sign: ISO build ${buildId.slice(0, 40)} cancelled`,
      blocks: [
        section(`:no_entry_sign: *ISO build ${id}* — cancelled`),
        section(`Cancelled by ${who} before it started.`),
      ],
    };
  }
  return {
    text: `:wastebasket: ISO build ${buildId.slice(0, 40)} removed`,
    blocks: [
      section(`:wastebasket: *ISO build ${id}* — removed`),
      section('This build was removed from the queue (expired, or deleted by an operator) and will not run.'),
    ],
  };
}
