import type { BuildRequest } from '../../domain/build-request.ts';
import { type Artifact, type BuildResult, isTrustRole } from '../../queue/build-job.ts';
import { findBuild } from '../../queue/find-build.ts';
import type { ArtifactStore } from '../../storage/artifact-store.ts';
import { linkViewer } from '../access/build-visibility.ts';
import type { BuildRecord } from '../build-records.ts';
import { scheduleSync } from '../notify/event-bridge.ts';
import type { SlackDeps } from '../slack-deps.ts';
import type { ActionReply } from './build-actions.ts';

/** The files a build's message links to: every image and checking file (the log has a button of its own). */
function linkedArtifacts(result: BuildResult): Pick<Artifact, 'type' | 'key' | 'filename'>[] {
  const listed = (result.artifacts ?? []).filter((a) => a.role === 'image' || isTrustRole(a.role));
  // A result of an older worker lists no artifacts: its one image is `iso`.
  return listed.length > 0 ? listed : [{ type: 'iso', key: result.iso.key, filename: result.iso.filename }];
}

interface Signed {
  link: NonNullable<BuildRecord['link']>;
  logUrl?: string;
  /** Types whose object is gone from storage (nothing was signed for them). */
  gone: string[];
}

/**
 * Signs every file of the build anew, each under its own key (an image of an earlier attempt or of an identical
 * build lives under that attempt's or build's keys, never under this build's), all with one expiry. Undefined when
 * the first image, the build's own link, is gone.
 */
async function signAll(
  store: ArtifactStore,
  result: BuildResult,
  ttlSeconds: number,
): Promise<Signed | undefined> {
  const files = linkedArtifacts(result);
  const present = await Promise.all(files.map(async (f) => (await store.headObject(f.key)) !== undefined));
  if (!present[0]) return undefined;
  const urls: Record<string, string> = {};
  let first: { url: string; expiresAt: Date } | undefined;
  for (const [i, file] of files.entries()) {
    if (!present[i]) continue;
    const signed = await store.presignGet(file.key, { ttlSeconds, filename: file.filename });
    urls[file.key] = signed.url;
    first ??= signed;
  }
  if (!first) return undefined;
  const out: Signed = {
    link: { url: first.url, expiresAt: first.expiresAt.toISOString(), urls },
    gone: files.filter((_, i) => !present[i]).map((f) => f.type),
  };
  if (result.logKey && (await store.headObject(result.logKey)))
    out.logUrl = (await store.presignGet(result.logKey, { ttlSeconds })).url;
  return out;
}

/**
 * New presigned links for every file of a finished build whose links expired (or are about to): one press renews
 * them all, so the message keeps one expiry for everything it links to.
 */
export async function freshLink(deps: SlackDeps, buildId: string, userId: string): Promise<ActionReply> {
  const found = await findBuild(deps.queues, buildId);
  if (found?.state !== 'completed') return `Build \`${buildId}\` has no ISO to link to.`;
  const { job } = found;
  const record = await deps.records.get(buildId);
  // A link is for the requester, the build's channel and admins only.
  const allowed = await (await linkViewer(deps, userId))(job.data as BuildRequest, record?.requester);
  await deps
    .audit({
      who: userId,
      action: 'fresh-link',
      allowed,
      buildId,
      ...(record ? { channel: record.channel } : {}),
    })
    .catch(() => undefined);
  if (!allowed)
    return 'Only the person who asked for this build, members of its channel, and admins can get its links.';
  if (!deps.store)
    return 'This bot has no S3 settings, so it cannot sign links; ask an operator, or use the CLI.';
  const result = job.returnvalue as BuildResult;
  const signed = await signAll(deps.store, result, deps.config.linkTtlSeconds);
  if (!signed)
    return `The ISO of build \`${buildId}\` is no longer in storage (it may have expired); retry the build.`;
  await deps.records.update(buildId, (r) => ({
    ...r,
    link: signed.link,
    ...(signed.logUrl ? { logUrl: signed.logUrl } : {}),
  }));
  await scheduleSync(deps.notify, { buildId, arch: (job.data as BuildRequest).arch }, Date.now());
  const gone = signed.gone.length > 0 ? ` No longer in storage: ${signed.gone.join(', ')}.` : '';
  return `Fresh download links for \`${buildId}\` are in the build's message (valid until ${signed.link.expiresAt}).${gone}`;
}
