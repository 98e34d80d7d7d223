import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { BLOCKS } from '../../../src/slack/action-ids.ts';
import { buildModalView } from '../../../src/slack/views/build-modal.ts';
import { missingLoginError, presetsForForm } from '../../../src/slack/views/registry-logins.ts';

const noFile = () => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};
/** The built-in defaults of a fresh checkout (no config file), as the bot loads them. */
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test' };
const fresh = loadConfig(SLACK, { role: 'bot', readFile: noFile });
const withRedHatLogin = loadConfig(SLACK, {
  role: 'bot',
  readFile: () =>
    'registries:\n  registry.redhat.io:\n    username: me\n    passwordFile: /etc/bootc-iso/redhat\n',
});

type Modal = {
  blocks: {
    block_id?: string;
    element?: {
      initial_option?: { value: string };
      options?: { value: string; description?: { text: string } }[];
    };
  }[];
};

function presetSelect(presets: ReturnType<typeof presetsForForm>) {
  const view = buildModalView({
    presets,
    defaultBuilder: 'rhel9',
    arches: ['x86_64'],
    channelId: 'C1',
  }) as Modal;
  const block = view.blocks.find((b) => b.block_id === BLOCKS.preset);
  return block?.element;
}

describe('presets on a fresh install with no registry credentials', () => {
  it('offers the CentOS Stream preset first, so the form default builds without credentials', () => {
    expect(fresh.credentialRegistries).toEqual([]);
    const select = presetSelect(presetsForForm(fresh));
    expect(select?.initial_option?.value).toBe('centos-stream9');
    expect(select?.options?.map((o) => o.value)).toEqual(['centos-stream9', 'rhel9', 'rhel10']);
  });

  it('says in the form which presets need registry.redhat.io credentials', () => {
    const select = presetSelect(presetsForForm(fresh));
    const described = Object.fromEntries(select?.options?.map((o) => [o.value, o.description?.text]) ?? []);
    // Also marked as needing an entitled host for its ISOs (the default for RHEL sources).
    expect(described.rhel9).toBe(
      'RHEL 9 image mode (needs registry.redhat.io login) · ISOs: RHEL hosts only',
    );
    expect(described['centos-stream9']).toBe('CentOS Stream 9 bootc');
  });

  it('refuses a RHEL preset on submit with what it needs, on the preset field', () => {
    const error = missingLoginError(
      {
        source: fresh.presets.rhel9?.image ?? '',
        builder: { image: fresh.builders.rhel9?.image ?? '' },
        preset: 'rhel9',
      },
      fresh,
    );
    expect(error?.block).toBe(BLOCKS.preset);
    expect(error?.message).toMatch(
      /^This image needs registry\.redhat\.io credentials, and none are configured/,
    );
    const typed = missingLoginError(
      {
        source: 'quay.io/centos-bootc/centos-bootc:stream9',
        builder: { image: fresh.builders.rhel9?.image ?? '' },
      },
      fresh,
    );
    expect(typed?.block).toBe(BLOCKS.image);
    const centos = fresh.presets['centos-stream9'];
    expect(
      missingLoginError(
        { source: centos?.image ?? '', builder: { image: fresh.builders.centos?.image ?? '' } },
        fresh,
      ),
    ).toBeUndefined();
  });

  it('keeps the config order and no notes once registry.redhat.io has credentials', () => {
    expect(withRedHatLogin.credentialRegistries).toEqual(['registry.redhat.io']);
    const select = presetSelect(presetsForForm(withRedHatLogin));
    expect(select?.options?.map((o) => o.value)).toEqual(['rhel9', 'rhel10', 'centos-stream9']);
    expect(select?.options?.[0]?.description?.text).toBe('RHEL 9 image mode · ISOs: RHEL hosts only');
    const rhel9 = withRedHatLogin.presets.rhel9;
    expect(
      missingLoginError(
        {
          source: rhel9?.image ?? '',
          builder: { image: withRedHatLogin.builders.rhel9?.image ?? '' },
          preset: 'rhel9',
        },
        withRedHatLogin,
      ),
    ).toBeUndefined();
  });
});
