import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { WorkerInfo } from '../../../src/queue/worker-registry.ts';
import { BLOCKS } from '../../../src/slack/action-ids.ts';
import { parseCommandText } from '../../../src/slack/messages/command-replies.ts';
import { noWorkerNote, workersReply } from '../../../src/slack/messages/workers-reply.ts';
import { modalArchChoices } from '../../../src/slack/views/arch-choices.ts';
import { buildModalView } from '../../../src/slack/views/build-modal.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';
import { CHANNEL_ID, config, expectSafeMessage, HOSTILE, NOW } from './slack-fixtures.ts';

function worker(overrides: Partial<WorkerInfo> = {}): WorkerInfo {
  return {
    name: 'build-1',
    host: 'build-1',
    arch: 'x86_64',
    concurrency: 2,
    running: [],
    disk: { workDirFreeGiB: 120.5, containerStorageFreeGiB: 80.25 },
    podmanVersion: '4.9.4',
    builderImages: ['quay.io/centos-bootc/bootc-image-builder:latest'],
    startedAt: '2026-01-31T09:00:00Z',
    updatedAt: '2026-01-31T11:59:55Z',
    version: '0.1.0',
    capabilities: [],
    warmImages: [],
    localImages: [],
    ...overrides,
  };
}

describe('/bootc-iso workers', () => {
  it('is a command that takes no arguments', () => {
    expect(parseCommandText('workers')).toEqual({ command: 'workers', args: [] });
    expect(parseCommandText('WORKERS')).toEqual({ command: 'workers', args: [] });
    expect(parseCommandText('workers all')).toEqual({
      error: 'workers takes no arguments; see /bootc-iso help',
    });
  });

  it('lists each live host with its arch, busy slots, smallest free disk, podman and uptime', () => {
    const reply = workersReply(
      [worker({ running: ['b7k2m9qxz'] }), worker({ name: 'arm-1', arch: 'aarch64', podmanVersion: null })],
      NOW,
    );
    expectSafeMessage(reply);
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toBe('2 build hosts online');
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('Build hosts online: 2* (x86_64, aarch64)');
    expect(text).toContain('1 of 2 building (`b7k2m9qxz`)');
    expect(text).toContain('80.3 GiB free');
    expect(text).toContain('podman ?');
    expect(text).toContain('up 3 h 0 min');
    expect(text).not.toContain('warm:');
  });

  it('marks a stopping host as draining, in the heading count and on its own line only', () => {
    const reply = workersReply(
      [worker({ name: 'stopping-1', draining: true, running: ['b7k2m9qxz'] }), worker({ name: 'build-2' })],
      NOW,
    );
    expectSafeMessage(reply);
    const [heading, stopping, live] = reply.blocks.map((b) => JSON.stringify(b));
    expect(heading).toContain('Build hosts online: 2* (x86_64), 1 draining');
    expect(stopping).toContain(':double_vertical_bar: `stopping-1`');
    expect(stopping).toContain('*draining* (takes no new builds, stops once its builds end)');
    expect(stopping).toContain('1 of 2 building (`b7k2m9qxz`)');
    expect(live).toContain(':large_green_circle: `build-2`');
    expect(live).not.toContain('draining');
    expect(JSON.stringify(workersReply([worker()], NOW).blocks)).not.toContain('draining');
  });

  it('lists the images a host keeps warm', () => {
    const warmImages = [{ ref: 'quay.io/centos-bootc/centos-bootc:stream9', digest: 'sha256:abc' }];
    const text = JSON.stringify(workersReply([worker({ warmImages })], NOW).blocks);
    expect(text).toContain('warm: `quay.io/centos-bootc/centos-bootc:stream9`');
  });

  it('says when no host is online, and that builds still queue', () => {
    const reply = workersReply([], NOW);
    expectSafeMessage(reply);
    expect(reply.text).toMatch(/^No build host is online\. Builds are still queued/);
  });

  it('keeps hostile worker fields from becoming mentions or links, and fits many hosts in 50 blocks', () => {
    const hostile = worker({
      name: HOSTILE,
      podmanVersion: HOSTILE,
      version: HOSTILE,
      builderImages: [HOSTILE],
    });
    expectSafeMessage(workersReply([hostile], NOW));
    const many = workersReply(
      Array.from({ length: 80 }, (_, i) => worker({ name: `h${i}` })),
      NOW,
    );
    expectSafeMessage(many);
    expect(many.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(many.blocks)).toContain('…and 35 more.');
  });

  it('tells a requester their build waits for a host of its arch', () => {
    const note = noWorkerNote('aarch64');
    expectSafeMessage(note);
    expect(note.text).toContain('No build host for *aarch64* is online');
  });
});

describe('the architectures the build form offers', () => {
  it('puts live arches first and marks the others', () => {
    expect(modalArchChoices(['aarch64'])).toEqual({
      arches: ['aarch64', 'x86_64', 's390x', 'ppc64le', 'riscv64'],
      offline: ['x86_64', 's390x', 'ppc64le', 'riscv64'],
    });
    expect(modalArchChoices(['aarch64', 'x86_64']).arches.slice(0, 2)).toEqual(['x86_64', 'aarch64']);
  });

  it('offers every arch, unmarked, when the live list could not be read in time', () => {
    expect(modalArchChoices(undefined)).toEqual({
      arches: ['x86_64', 'aarch64', 's390x', 'ppc64le', 'riscv64'],
      offline: [],
    });
  });

  it('marks every arch when no host is online', () => {
    expect(modalArchChoices([]).offline).toHaveLength(5);
  });

  it('labels host-less arches in the modal, keeping their values, with the first live arch selected', () => {
    const choices = modalArchChoices(['aarch64']);
    const view = buildModalView({
      presets: config.presets,
      defaultBuilder: 'centos',
      arches: choices.arches,
      offlineArches: choices.offline,
      channelId: CHANNEL_ID,
    });
    expect(blockKitProblems('modal', { view })).toEqual([]);
    const block = view.blocks.find(
      (b): b is types.InputBlock => b.type === 'input' && b.block_id === BLOCKS.arch,
    );
    const select = block?.element as types.StaticSelect;
    expect(select.initial_option?.value).toBe('aarch64');
    expect(select.options?.map((o) => [o.value, o.text.text])).toEqual([
      ['aarch64', 'aarch64'],
      ['x86_64', 'x86_64 (no build host online)'],
      ['s390x', 's390x (no build host online)'],
      ['ppc64le', 'ppc64le (no build host online)'],
      ['riscv64', 'riscv64 (no build host online)'],
    ]);
  });
});

describe('entitled hosts in Slack', () => {
  it('lists a host’s capabilities, and the waiting note names what the build needs', () => {
    const reply = workersReply(
      [worker({ capabilities: ['rhel-entitlement'] }), worker({ name: 'build-2' })],
      NOW,
    );
    const text = JSON.stringify(reply.blocks);
    expect(text).toContain('rhel-entitlement');
    expect(text.match(/rhel-entitlement/g)).toHaveLength(1);
    const note = noWorkerNote('x86_64', ['rhel-entitlement']).text;
    expect(note).toContain('*x86_64* build host with *rhel-entitlement*');
    expect(note).toContain('waits in the queue');
    expect(noWorkerNote('x86_64').text).toContain('No build host for *x86_64*');
  });
});
