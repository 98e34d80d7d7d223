import { expect } from 'vitest';
import type { Config } from '../../../src/config/load-config.ts';
import { BuildRequest, type BuildRequestInput } from '../../../src/domain/build-request.ts';
import type { BuildResult } from '../../../src/queue/build-job.ts';
import { BLOCKS, type ModalBlock } from '../../../src/slack/action-ids.ts';
import type { BuildStatus } from '../../../src/slack/messages/status-message.ts';
import type { SubmittedView } from '../../../src/slack/views/read-build-submission.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';

/** Named inputs for the Slack builder tests: a small valid config, builders for statuses, and hostile text. */

export const USER_ID = 'U024BE7LH';
export const CHANNEL_ID = 'C024BE91L';
export const TEAM_ID = 'T024BE7LD';
export const BUILD_ID = 'b7k2m9qxz';
export const NOW = new Date('2026-01-31T12:00:00Z');

export const config: Pick<Config, 'presets' | 'builders' | 'defaultBuilder' | 'allowedRegistries'> = {
  builders: {
    centos: {
      image: 'quay.io/centos-bootc/bootc-image-builder:latest',
      features: ['iso-customizations', 'bootc-installer'],
    },
    rhel10: { image: 'registry.redhat.io/rhel10/bootc-image-builder:10.1' },
  },
  defaultBuilder: 'centos',
  presets: {
    'centos-stream9': {
      image: 'quay.io/centos-bootc/centos-bootc:stream9',
      builder: 'centos',
      description: 'CentOS Stream 9 bootc',
    },
    rhel10: { image: 'registry.redhat.io/rhel10/rhel-bootc:10.1', builder: 'rhel10', description: 'RHEL 10' },
  },
  allowedRegistries: ['quay.io', 'registry.redhat.io'],
};

/** Text written to break out: mentions, links, entities, code fences, control and bidi characters, emoji. */
export const HOSTILE =
  '<!channel> <!here> <@U0BADBAD1> <#C0BADBAD1> <https://evil.example|click> &amp; ``` `x` *b* \u0000\u001b[31m\u202e 🚀 漢字';

export function request(overrides: Partial<BuildRequestInput> = {}): BuildRequest {
  return BuildRequest.parse({
    source: 'quay.io/centos-bootc/centos-bootc:stream9',
    builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
    type: 'anaconda-iso',
    arch: 'x86_64',
    requester: { kind: 'slack', userId: USER_ID, channelId: CHANNEL_ID, teamId: TEAM_ID },
    requestedAt: '2026-01-31T12:00:00Z',
    ...overrides,
  });
}

export function result(overrides: Partial<BuildResult> = {}): BuildResult {
  return {
    buildId: BUILD_ID,
    iso: {
      key: `builds/${BUILD_ID}/install.iso`,
      size: 2_254_857_830,
      sha256: 'ab'.repeat(32),
      filename: 'install.iso',
    },
    logKey: `builds/${BUILD_ID}/build.log`,
    manifestKey: `builds/${BUILD_ID}/manifest.json`,
    link: {
      url: 'https://s3.example.com/isos/install.iso?X-Amz-Signature=abc',
      expiresAt: '2026-02-07T12:00:00Z',
    },
    sourceImage: 'quay.io/centos-bootc/centos-bootc:stream9',
    sourceDigest: `sha256:${'c'.repeat(64)}`,
    builderImage: 'quay.io/centos-bootc/bootc-image-builder:latest',
    builderDigest: `sha256:${'d'.repeat(64)}`,
    workerHost: 'builder-1',
    timings: { pull: 60_000, build: 1_200_000, upload: 90_000 },
    finishedAt: '2026-01-31T12:30:00Z',
    ...overrides,
  };
}

export function status(overrides: Partial<BuildStatus> = {}): BuildStatus {
  return { buildId: BUILD_ID, request: request(), state: 'queued', updatedAt: NOW, ...overrides };
}

type Field = {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
};

/** A view_submission `view` as Slack sends it; text fields are given as strings, selects by value. */
export function submission(
  fields: Partial<Record<ModalBlock, string | string[] | null>>,
  /** null leaves private_metadata out. */
  privateMetadata: string | null = JSON.stringify({ channelId: CHANNEL_ID }),
): SubmittedView {
  const values: SubmittedView['state']['values'] = {};
  const selects: ModalBlock[] = ['preset', 'type', 'arch'];
  for (const [key, raw] of Object.entries(fields) as [ModalBlock, string | string[] | null][]) {
    const id = BLOCKS[key];
    let field: Field;
    if (key === 'fips' || key === 'rebuild' || key === 'bootTest')
      field = { selected_options: (Array.isArray(raw) ? raw : []).map((value) => ({ value })) };
    else if (selects.includes(key))
      field = { selected_option: typeof raw === 'string' ? { value: raw } : null };
    else field = { value: typeof raw === 'string' ? raw : null };
    values[id] = { [id]: field };
  }
  return { state: { values }, ...(privateMetadata !== null ? { private_metadata: privateMetadata } : {}) };
}

/** Every string Slack renders in a payload, for scanning (button values and urls are never shown as text). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) if (key !== 'value' && key !== 'url') strings(v, out);
  }
  return out;
}

/**
 * Markup that user input must never produce: broadcasts, mentions of anyone but `allowedIds`, and links. Allowed:
 * `<@id>` / `<#id>` for the given ids, `<!date^…>` and links to `allowedUrls`.
 */
export function unsafeMarkup(
  payload: unknown,
  allowedIds: string[] = [USER_ID],
  allowedUrls: string[] = [],
): string[] {
  const problems: string[] = [];
  for (const s of strings(payload)) {
    for (const m of s.matchAll(/<([^>]*)>?/g)) {
      const inner = m[1] ?? '';
      const ok = /^[@#]/.test(inner)
        ? allowedIds.includes(inner.slice(1)) && m[0].endsWith('>')
        : inner.startsWith('!date^')
          ? /^!date\^\d+\^[^|]+\|[^<>]+$/.test(inner)
          : allowedUrls.some((u) => inner === u || inner.startsWith(`${u}|`));
      if (!ok) problems.push(`unexpected markup ${JSON.stringify(m[0].slice(0, 80))}`);
    }
  }
  return problems;
}

/** Asserts a message (text + blocks) is within Block Kit limits and carries no markup from user input. */
export function expectSafeMessage(
  message: { text: string; blocks?: unknown[] },
  opts: { allowedIds?: string[]; allowedUrls?: string[] } = {},
): void {
  expect(blockKitProblems('message', { blocks: message.blocks ?? [] })).toEqual([]);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(3000);
  expect(unsafeMarkup(message, opts.allowedIds, opts.allowedUrls)).toEqual([]);
}
