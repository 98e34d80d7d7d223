import { describe, expect, it } from 'vitest';
import { appHomeView, HOME_BUILD_ACTION, HOME_MAX_BUILDS } from '../../../src/slack/views/app-home.ts';
import { blockKitProblems } from '../../fakes/block-kit-limits.ts';
import { config, HOSTILE, NOW, request, result, status, unsafeMarkup } from './slack-fixtures.ts';

const LINK = result().link.url;
const textOf = (view: unknown) => JSON.stringify(view);

describe('appHomeView', () => {
  it('is a valid home view with a Build button, the builds with their links, and the presets', () => {
    const view = appHomeView({
      builds: [
        status({ buildId: 'b00000002', state: 'running' }),
        status({ buildId: 'b00000001', state: 'completed', result: result() }),
      ],
      presets: config.presets,
      now: NOW,
    });
    expect(blockKitProblems('home', { view })).toEqual([]);
    expect(view.type).toBe('home');
    const text = textOf(view);
    expect(text).toContain(HOME_BUILD_ACTION);
    expect(text.indexOf('b00000002')).toBeLessThan(text.indexOf('b00000001'));
    expect(text.match(/\|Download>/g)).toHaveLength(1);
    expect(text).toContain(`<${LINK}|Download>`);
    for (const name of Object.keys(config.presets)) expect(text).toContain(name);
    expect(unsafeMarkup(view, [], [LINK])).toEqual([]);
  });

  it('shows no link for an expired one and points at the status command instead', () => {
    const view = appHomeView({
      builds: [status({ state: 'completed', result: result(), linkExpired: true })],
      presets: {},
      now: NOW,
    });
    const text = textOf(view);
    expect(text).not.toContain(LINK);
    expect(text).toContain('/bootc-iso status');
    expect(text).toContain('None configured');
  });

  it('says so when there are no builds, and caps a long history', () => {
    expect(textOf(appHomeView({ builds: [], presets: config.presets, now: NOW }))).toContain('None yet');
    const many = Array.from({ length: 30 }, (_, i) =>
      status({ buildId: `b${String(i).padStart(8, '0')}`, state: 'queued' }),
    );
    const view = appHomeView({ builds: many, presets: config.presets, now: NOW });
    expect(blockKitProblems('home', { view })).toEqual([]);
    expect(textOf(view).match(/b000000\d\d/g)).toHaveLength(HOME_MAX_BUILDS);
    expect(textOf(view)).toContain('/bootc-iso list');
  });

  it('escapes hostile image names and preset descriptions', () => {
    const view = appHomeView({
      builds: [status({ request: request() })],
      presets: { evil: { image: 'quay.io/x/y:z', builder: 'centos', description: HOSTILE } },
      now: NOW,
    });
    expect(blockKitProblems('home', { view })).toEqual([]);
    expect(unsafeMarkup(view, [], [])).toEqual([]);
  });

  it('the fake refuses modal-only fields on a home view', () => {
    const view = {
      ...appHomeView({ builds: [], presets: {}, now: NOW }),
      title: { type: 'plain_text', text: 'x' },
    };
    expect(blockKitProblems('home', { view }).join('\n')).toMatch(/title is not allowed/);
  });
});
