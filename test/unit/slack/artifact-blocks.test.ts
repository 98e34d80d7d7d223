import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../../src/queue/build-job.ts';
import { ACTIONS } from '../../../src/slack/action-ids.ts';
import { statusMessage } from '../../../src/slack/messages/status-message.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';
import { BUILD_ID, result, status } from './slack-fixtures.ts';

const image = (type: Artifact['type'], i: number): Artifact => ({
  role: 'image',
  type,
  key: `builds/${BUILD_ID}/${type}/f${i}`,
  filename: `${BUILD_ID}-${type}`,
  size: 1024 * (i + 1),
  sha256: String(i).repeat(64),
  url: `https://s3.example.com/${type}?X-Amz-Signature=${i}`,
});

const TYPES = [
  'iso',
  'qcow2',
  'raw',
  'ami',
  'vmdk',
  'vhd',
  'gce',
  'anaconda-iso',
  'bootc-installer',
] as const;

describe('a finished build of several images in Slack', () => {
  it('shows one download per image, within Block Kit limits, next to Fresh link', () => {
    const artifacts = TYPES.map((t, i) => image(t, i));
    const message = statusMessage(status({ state: 'completed', result: result({ artifacts }) }));
    expect(blockKitProblems('message', message)).toEqual([]);
    const downloads = message.blocks.flatMap((b) => {
      const accessory = b.type === 'section' ? (b as types.SectionBlock).accessory : undefined;
      return accessory?.type === 'button' ? [accessory as types.Button] : [];
    });
    expect(downloads.map((d) => d.url)).toEqual(artifacts.map((a) => a.url));
    expect(downloads.every((d) => d.action_id === ACTIONS.download)).toBe(true);
    expect(JSON.stringify(message.blocks)).toContain('Fresh link');
    expect(message.blocks[0]?.type).toBeDefined();
    expect(JSON.stringify(message.blocks)).toContain('9 images are ready');
  });

  it('offers no per-image downloads once the links expired', () => {
    const artifacts = [image('qcow2', 0), image('raw', 1)];
    const message = statusMessage(
      status({ state: 'completed', linkExpired: true, result: result({ artifacts }) }),
    );
    expect(JSON.stringify(message.blocks)).not.toContain('X-Amz-Signature=1');
    expect(JSON.stringify(message.blocks)).toContain('qcow2');
  });
});
