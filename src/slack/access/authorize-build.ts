import type { BuildRequestInput } from '../../domain/build-request.ts';
import { isOwnContainerfile } from '../../domain/preset-defaults.ts';
import { presetRecipe } from '../preset-containerfiles.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { type Decision, mayBuild, maySupplyContainerfile, repositoryOf } from './access-policy.ts';
import { type OpenBuildReservation, reserveWithinLimits } from './build-limits.ts';
import { customSettingsUsed } from './custom-settings.ts';

export type Authorized =
  | { allowed: true; reservation: OpenBuildReservation }
  | { allowed: false; reason: string };

/**
 * Access rules, then a place within the limits taken atomically, for a build request from Slack. A refusal is
 * audited here; an allowed build is audited when it gets its id, before it is queued.
 */
export async function authorizeBuild(
  deps: SlackDeps,
  input: BuildRequestInput,
  who: { userId: string; channelId: string },
): Promise<Authorized> {
  const target = input.preset ?? input.source;
  let decision: Authorized | Decision;
  try {
    const groups = await deps.groupsOf(who.userId);
    const repository = input.preset === undefined ? repositoryOf(input.source) : undefined;
    decision = mayBuild(
      deps.config.access,
      { ...who, groups },
      {
        ...(input.preset !== undefined ? { preset: input.preset } : {}),
        ...(repository ? { repository } : {}),
        customSettings: customSettingsUsed(input.customizations),
      },
      { presets: deps.config.presets, credentialRegistries: deps.config.credentialRegistries ?? [] },
    );
    // Derived images: a Containerfile of the requester's own needs its own rule (a preset's is the operator's).
    const { recipe } = presetRecipe(deps.config.presets, input.preset, deps.presetContainerfiles);
    if (decision.allowed && isOwnContainerfile(input, recipe))
      decision = maySupplyContainerfile(deps.config.access, { ...who, groups });
    if (decision.allowed)
      decision = await reserveWithinLimits(deps.publisher, deps.queues, deps.config.access.limits, who);
  } catch (error) {
    // Fail closed: without the group list or the queue counts, the rules cannot be applied.
    deps.logger.warn({ error: String(error), userId: who.userId }, 'could not check access');
    decision = {
      allowed: false,
      reason: 'Your permissions could not be checked just now; please try again.',
    };
  }
  if (!decision.allowed) {
    await deps
      .audit({
        who: who.userId,
        channel: who.channelId,
        action: 'build',
        allowed: false,
        reason: decision.reason,
        target,
      })
      .catch(() => undefined);
    return decision;
  }
  if (!('reservation' in decision)) throw new Error('an allowed build has no reservation');
  return decision;
}
