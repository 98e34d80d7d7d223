import type { App } from '@slack/bolt';
import { asAppError } from '../../domain/errors.ts';
import { approvalFor } from '../access/approval-rules.ts';
import { authorizeBuild } from '../access/authorize-build.ts';
import { releaseOpenBuild } from '../access/build-limits.ts';
import { ACTIONS, BLOCKS, BUILD_MODAL_CALLBACK } from '../action-ids.ts';
import { readBuildSubmission } from '../views/read-build-submission.ts';
import { missingLoginError } from '../views/registry-logins.ts';
import { decideApproval, requestApproval } from './approval-actions.ts';
import { cancelBuild, retryBuild } from './build-actions.ts';
import { freshLink } from './fresh-link.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { submitBuild } from './submit-build.ts';

/** The modal submission and the buttons on status messages. */
export function registerInteractions(app: App, deps: HandlerDeps): void {
  app.view(BUILD_MODAL_CALLBACK, async ({ ack, body, view }) => {
    const read = readBuildSubmission(view as never, {
      config: deps.config,
      ...(deps.presetContainerfiles ? { presetContainerfiles: deps.presetContainerfiles } : {}),
      userId: body.user.id,
      ...(body.team?.id ? { teamId: body.team.id } : {}),
    });
    if (!read.ok) {
      // Field errors keep the modal open with every message next to its field; nothing is queued.
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    const login = missingLoginError(read.input, deps.config);
    if (login) {
      await ack({ response_action: 'errors', errors: { [login.block]: login.message } });
      return;
    }
    const who = { userId: body.user.id, channelId: read.channelId };
    const decision = await authorizeBuild(deps, read.input, who);
    if (!decision.allowed) {
      // Shown in the form, to this person only; nothing is queued.
      const block = read.input.preset !== undefined ? BLOCKS.preset : BLOCKS.image;
      await ack({ response_action: 'errors', errors: { [block]: decision.reason } });
      return;
    }
    // Reserved (atomically with the limit check) before the ack, so the next submission sees this build.
    const { reservation } = decision;
    await ack();
    // The access decision is made (and sent) above; the status post and the enqueue run after the ack.
    deps.background.run('modal submission', async () => {
      try {
        const approval = approvalFor(deps.config.access, read.input);
        // A build that needs approval waits outside the queue (its reservation is released below).
        if (approval) await requestApproval(deps, read.input, read.channelId, body.user.id, approval);
        else await submitBuild(deps, read.input, read.channelId, body.user.id, { reservation });
      } catch (error) {
        deps.logger.error(
          { error: String(error), userId: body.user.id },
          'could not start a build from the modal',
        );
        await deps.poster
          .post(body.user.id, { text: `Sorry, your build could not be queued: ${asAppError(error).message}` })
          .catch(() => undefined);
      } finally {
        // A no-op when the build was queued (the reservation became the build); frees the place otherwise.
        await releaseOpenBuild(deps.publisher, reservation).catch(() => undefined);
      }
    });
  });

  const onButton = (actionId: string, run: (buildId: string, userId: string) => Promise<string>) => {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const buildId = 'value' in action && typeof action.value === 'string' ? action.value : '';
      deps.background.run(`button ${actionId}`, async () => {
        try {
          const reply = await run(buildId, body.user.id);
          await respond({ response_type: 'ephemeral', replace_original: false, text: reply });
        } catch (error) {
          deps.logger.error({ error: String(error), actionId, buildId }, 'button action failed');
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: `Sorry, that did not work: ${asAppError(error).message}`,
          }).catch(() => undefined);
        }
      });
    });
  };
  onButton(ACTIONS.cancel, (id, user) => cancelBuild(deps, id, user));
  onButton(ACTIONS.retry, (id, user) => retryBuild(deps, id, user));
  onButton(ACTIONS.freshLink, (id, user) => freshLink(deps, id, user));
  onButton(ACTIONS.approve, (id, user) => decideApproval(deps, id, user, 'approve'));
  onButton(ACTIONS.deny, (id, user) => decideApproval(deps, id, user, 'deny'));
  // Link buttons still send a payload; without a listener the person sees a warning icon.
  for (const linkAction of [ACTIONS.download, ACTIONS.openLog]) {
    app.action(linkAction, async ({ ack }) => {
      await ack();
    });
  }
}
