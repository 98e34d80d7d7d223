import { basename } from 'node:path';
import { isTrustRole } from '../../../src/queue/build-job.ts';
import { buildObjectKey } from '../../../src/signing/bundle-sources.ts';
import type { ResolvedImage } from '../../../src/signing/provenance.ts';
import { loadConfiguredSigningKey, publishTrustFiles } from '../../../src/signing/publish-trust-files.ts';
import { type BuildContext, required } from '../build-context.ts';
import type { Step } from '../step.ts';
import { withUploadRetries } from '../upload-retries.ts';

export type SignContext = Pick<BuildContext, 'buildId' | 'request' | 'store' | 'logger' | 'signal'> & {
  settings: Pick<BuildContext['settings'], 'workerName' | 'signing'>;
  state: Pick<
    BuildContext['state'],
    'pulled' | 'artifacts' | 'log' | 'bootTest' | 'reused' | 'startedAt' | 'signing'
  >;
};

/**
 * After the uploads, before the link: the boot test's console logs join the artifacts, then SHA256SUMS over all of
 * them and, with a key, its signature and the signed provenance, which then join the artifacts too. The digests are the uploads' own (computed while
 * the bytes streamed), so nothing is read twice.
 */
export const sign: Step<SignContext> = {
  name: 'sign',
  shows: 'upload',
  describe: (ctx) =>
    ctx.settings.signing?.privateKeyFile ? 'signing checksums and provenance' : 'writing checksums',
  timeoutMs: () => 300_000,
  async run(ctx) {
    const boot = ctx.state.bootTest;
    for (const log of boot?.logs ?? []) {
      const name = basename(log);
      const filename = `${ctx.buildId}-${name}`;
      // A step run again (a retried attempt) lists each console log once.
      ctx.state.artifacts = ctx.state.artifacts.filter((a) => a.filename !== filename);
      const key = buildObjectKey(ctx.buildId, name);
      const uploaded = await withUploadRetries(ctx, key, () =>
        ctx.store.uploadFile(key, log, {
          contentType: 'text/plain; charset=utf-8',
          signal: ctx.signal,
        }),
      );
      ctx.state.artifacts.push({
        role: 'log',
        type: 'log',
        filename,
        ...uploaded,
      });
    }
    // A step run again (a retried attempt) lists its checking files once, and never checksums them.
    ctx.state.artifacts = ctx.state.artifacts.filter((a) => !isTrustRole(a.role));
    const pulled = required(ctx.state.pulled, 'pulled');
    const { request } = ctx;
    const images: ResolvedImage[] = [
      { role: 'source', ref: request.source, digest: pulled.sourceDigest },
      { role: 'builder', ref: request.builder.image, digest: pulled.builderDigest },
    ];
    if (request.installerPayloadRef && pulled.payloadDigest) {
      images.push({ role: 'payload', ref: request.installerPayloadRef, digest: pulled.payloadDigest });
    }
    const published = await publishTrustFiles({
      store: ctx.store,
      buildId: ctx.buildId,
      artifacts: ctx.state.artifacts.map((a) => ({ name: a.filename, sha256: a.sha256 })),
      key: await loadConfiguredSigningKey(ctx.settings.signing),
      provenance: {
        request,
        images,
        workerHost: ctx.settings.workerName,
        startedOn: new Date(ctx.state.startedAt ?? Date.now()),
        finishedOn: new Date(),
        internal: {
          ...(boot
            ? { bootTest: { mode: boot.mode, passed: boot.passed, accel: boot.accel, seconds: boot.seconds } }
            : {}),
          ...(ctx.state.reused ? { reusedFrom: ctx.state.reused.buildId } : {}),
        },
      },
    });
    ctx.state.signing = { keyId: published.keyId ?? null, note: published.note, files: published.artifacts };
    // Listed like every artifact, after the images and logs: the signed ones say which key signed them.
    for (const file of published.artifacts) {
      const signedBy = file.role !== 'checksums' && published.keyId ? { keyId: published.keyId } : {};
      const { key, filename, size, sha256 } = file;
      ctx.state.artifacts.push({
        role: file.role,
        type: file.role,
        key,
        filename,
        size,
        sha256,
        ...signedBy,
      });
    }
    ctx.state.log?.line(`${published.note}: ${published.artifacts.map((a) => a.filename).join(', ')}`);
  },
};
