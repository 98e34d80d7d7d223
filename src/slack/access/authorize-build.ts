import type { BuildRequestInput } from '../../domain/build-request.ts';
import { registryOf } from '../../domain/image-ref.ts';
import type { SlackDeps } from '../slack-deps.ts';
import { type Decision, mayBuild, maySupplyContainerfile } from './access-policy.ts';
import { checkBuildLimits } from './build-limits.ts';

/** Access rules, then limits, for a build request from Slack; every decision is audited. */
export async function authorizeBuild(
  deps: SlackDeps,
  input: BuildRequestInput,
  who: { userId: string; channelId: string },
): Promise<Decision> {
  const target = input.preset ?? input.source;
  let decision: Decision;
  try {
    const groups = await deps.groupsOf(who.userId);
    const registry = input.preset === undefined ? safeRegistry(input.source) : undefined;
    decision = mayBuild(
      deps.config.access,
      { ...who, groups },
      {
        ...(input.preset !== undefined ? { preset: input.preset } : {}),
        ...(registry ? { registry } : {}),
      },
    );
    // Derived images: a Containerfile of the requester's own needs its own rule.
    if (decision.allowed && input.containerfile !== undefined)
      decision = maySupplyContainerfile(deps.config.access, { ...who, groups });
    if (decision.allowed)
      decision = await checkBuildLimits(deps.publisher, deps.queues, deps.config.access.limits, who);
  } catch (error) {
    // Fail closed: without the group list or the queue counts, the rules cannot be applied.
    deps.logger.warn({ error: String(error), userId: who.userId }, 'could not check access');
    decision = {
      allowed: false,
      reason: 'Your permissions could not be checked just now; please try again.',
    };
  }
  if (!decision.allowed) {
    await deps.audit({
      who: who.userId,
      channel: who.channelId,
      action: 'build',
      allowed: false,
      reason: decision.reason,
      target,
    });
  }
  return decision;
}

function safeRegistry(source: string): string | undefined {
  try {
    return registryOf(source);
  } catch {
    return undefined;
  }
}
