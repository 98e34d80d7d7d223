import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../src/slack/action-ids.ts';
import { finishDm } from '../../../src/slack/handlers/finish-dm.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';
import { BUILD_ID, result, status } from './slack-fixtures.ts';

describe('finishDm', () => {
  it('says the build is ready and carries the download button, and no buttons that act on the channel message', () => {
    const dm = finishDm(status({ state: 'completed', result: result() }));
    expect(dm.text).toBe(`Your build ${BUILD_ID} is ready`);
    expect(blockKitProblems('message', { blocks: dm.blocks })).toEqual([]);
    const text = JSON.stringify(dm.blocks);
    expect(text).toContain(ACTIONS.download);
    expect(text).toContain(result().link.url);
    expect(text).not.toContain(ACTIONS.cancel);
    expect(text).not.toContain(ACTIONS.retry);
  });

  it('names a failed or cancelled build as such', () => {
    expect(finishDm(status({ state: 'failed' })).text).toBe(`Your build ${BUILD_ID} failed`);
    expect(finishDm(status({ state: 'cancelled', cancelledBy: 'U0OTHER1' })).text).toBe(
      `Your build ${BUILD_ID} was cancelled`,
    );
  });
});
