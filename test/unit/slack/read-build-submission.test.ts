import type { ViewOutput } from '@slack/bolt';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { validateBuildRequest } from '../../../src/domain/validate-build-request.ts';
import { BLOCKS, BOOT_TEST_OPTION, FIPS_OPTION, REBUILD_OPTION } from '../../../src/slack/action-ids.ts';
import { readBuildSubmission, type SubmittedView } from '../../../src/slack/views/read-build-submission.ts';
import { ED25519_KEY, SHA512_HASH, YESCRYPT_HASH } from '../domain/fixtures.ts';
import { CHANNEL_ID, config, NOW, submission, TEAM_ID, USER_ID } from './slack-fixtures.ts';

const ctx = { config, userId: USER_ID, teamId: TEAM_ID, now: () => NOW };
const defaults = { preset: 'centos-stream9', type: 'iso', arch: 'x86_64' } as const;

function read(view: SubmittedView) {
  return readBuildSubmission(view, ctx);
}

function errorsOf(view: SubmittedView): Record<string, string> {
  const out = read(view);
  if (out.ok) throw new Error('expected errors, the submission was accepted');
  return out.errors;
}

function inputOf(view: SubmittedView) {
  const out = read(view);
  if (!out.ok) throw new Error(`expected a request, got ${JSON.stringify(out.errors)}`);
  return out;
}

describe('readBuildSubmission', () => {
  it('accepts the view of a Bolt view_submission without a cast', () => {
    expectTypeOf<ViewOutput>().toExtend<SubmittedView>();
  });

  it('turns a preset-only submission into a valid request from the preset and its builder', () => {
    const out = inputOf(submission(defaults));
    expect(out.channelId).toBe(CHANNEL_ID);
    expect(out.input).toMatchObject({
      source: 'quay.io/centos-bootc/centos-bootc:stream9',
      preset: 'centos-stream9',
      builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
      type: 'iso',
      arch: 'x86_64',
      requester: { kind: 'slack', userId: USER_ID, channelId: CHANNEL_ID, teamId: TEAM_ID },
      requestedAt: NOW.toISOString(),
      customizations: { users: [], fips: false },
    });
    expect(() => validateBuildRequest(out.input, config)).not.toThrow();
  });

  it('lets a custom image override the preset image while the preset still picks the builder', () => {
    const out = inputOf(submission({ ...defaults, preset: 'rhel10', image: '  quay.io/org/app:1.0 ' }));
    expect(out.input.source).toBe('quay.io/org/app:1.0');
    expect(out.input.preset).toBeUndefined();
    expect(out.input.builder.name).toBe('rhel10');
  });

  it('uses the default builder for a custom image without a preset', () => {
    const out = inputOf(submission({ type: 'iso', arch: 'x86_64', image: 'quay.io/org/app:1.0' }));
    expect(out.input.builder).toEqual({
      name: 'centos',
      image: 'quay.io/centos-bootc/bootc-image-builder:latest',
    });
  });

  it('reads users, kickstart-free customizations, the volume label and FIPS', () => {
    const users = `# admins\n\nadmin | ${ED25519_KEY} | wheel, adm | ${SHA512_HASH}\r\nbob`;
    const out = inputOf(
      submission({
        ...defaults,
        users,
        kernelArgs: ' console=ttyS0 ',
        volumeId: 'MY-ISO',
        fips: [FIPS_OPTION],
      }),
    );
    expect(out.input.customizations).toEqual({
      users: [
        { name: 'admin', sshKeys: [ED25519_KEY], groups: ['wheel', 'adm'], passwordHash: SHA512_HASH },
        { name: 'bob' },
      ],
      kernelAppend: 'console=ttyS0',
      iso: { volumeId: 'MY-ISO' },
      fips: true,
    });
    expect(() => validateBuildRequest(out.input, config)).not.toThrow();
  });

  it('reads "Boot test" as bootTest: true, and leaves it out when unticked', () => {
    expect(inputOf(submission({ ...defaults, bootTest: [BOOT_TEST_OPTION] })).input.bootTest).toBe(true);
    expect(inputOf(submission({ ...defaults, bootTest: [] })).input.bootTest).toBeUndefined();
    expect(inputOf(submission({ ...defaults, bootTest: ['other'] })).input.bootTest).toBeUndefined();
  });

  it('reads "Rebuild anyway" as rebuild: true, and leaves it out when unticked', () => {
    expect(inputOf(submission({ ...defaults, rebuild: [REBUILD_OPTION] })).input.rebuild).toBe(true);
    expect(inputOf(submission({ ...defaults, rebuild: [] })).input.rebuild).toBeUndefined();
    expect(inputOf(submission({ ...defaults, rebuild: ['other'] })).input.rebuild).toBeUndefined();
    const parsed = validateBuildRequest(inputOf(submission(defaults)).input, config);
    expect(parsed.rebuild).toBe(false);
  });

  it('asks for a preset or an image when neither is given', () => {
    expect(errorsOf(submission({ type: 'iso', arch: 'x86_64' }))).toEqual({
      [BLOCKS.image]: 'Pick a preset or enter an image reference',
    });
  });

  it('puts a malformed reference on the image block with the fix', () => {
    const errors = errorsOf(submission({ ...defaults, image: 'app:latest' }));
    expect(Object.keys(errors)).toEqual([BLOCKS.image]);
    expect(errors[BLOCKS.image]).toMatch(/fully qualified reference like registry\.example\.com/);
  });

  it('names the allowed registries when the image is on another one', () => {
    const errors = errorsOf(submission({ ...defaults, image: 'ghcr.io/org/app:1' }));
    expect(errors[BLOCKS.image]).toMatch(
      /registry ghcr\.io is not allowed; allowed: quay\.io, registry\.redhat\.io/,
    );
  });

  it('asks for a tag when the image has none', () => {
    expect(errorsOf(submission({ ...defaults, image: 'quay.io/org/app' }))[BLOCKS.image]).toMatch(/add :tag/);
  });

  it('flags both the kickstart and the users when they are combined', () => {
    const errors = errorsOf(submission({ ...defaults, users: 'admin', kickstart: 'text\nreboot\n' }));
    expect(errors[BLOCKS.kickstart]).toMatch(/cannot be combined with Users.*clear one/);
    expect(errors[BLOCKS.users]).toMatch(/cannot be combined with a kickstart/);
  });

  it('points a users-line syntax error at the line it is on', () => {
    const errors = errorsOf(submission({ ...defaults, users: `\n# comment\nadmin ${ED25519_KEY}` }));
    expect(errors[BLOCKS.users]).toMatch(/^Line 3: separate the name from the other fields with "\|"/);
  });

  it('refuses a plain password without repeating it, naming the line and how to hash', () => {
    const errors = errorsOf(submission({ ...defaults, users: 'alice\nadmin | | wheel | hunter2' }));
    expect(errors[BLOCKS.users]).toMatch(
      /^Line 2 password hash: give a crypt\(3\) hash \(e\.g\. `openssl passwd -6`\)/,
    );
    expect(errors[BLOCKS.users]).not.toContain('hunter2');
  });

  it('asks for a payload image when bootc-installer has none, and refuses one for other types', () => {
    expect(errorsOf(submission({ ...defaults, type: 'bootc-installer' }))[BLOCKS.payload]).toMatch(
      /installer payload image is required for bootc-installer/i,
    );
    expect(errorsOf(submission({ ...defaults, payload: 'quay.io/org/app:1' }))[BLOCKS.payload]).toMatch(
      /only used with bootc-installer/,
    );
  });

  it('maps the volume label and kernel arguments to their own blocks', () => {
    const errors = errorsOf(submission({ ...defaults, volumeId: 'my iso', kernelArgs: "a='b'" }));
    expect(errors[BLOCKS.volumeId]).toMatch(/invalid volume id/);
    expect(errors[BLOCKS.kernelArgs]).toMatch(/^Kernel arguments: remove the quotes \('\)/);
  });

  it('shows the kernel-arguments-with-kickstart refusal under both fields', () => {
    const errors = errorsOf(submission({ ...defaults, kernelArgs: 'quiet', kickstart: 'text\nreboot\n' }));
    expect(Object.keys(errors).sort()).toEqual([BLOCKS.kernelArgs, BLOCKS.kickstart].sort());
    expect(errors[BLOCKS.kernelArgs]).toMatch(/drops the kernel arguments when a kickstart is given/);
    expect(errors[BLOCKS.kickstart]).toMatch(/drops the kernel arguments when a kickstart is given/);
  });

  it('refuses the volume label on a preset whose builder lacks iso-customizations, under the label', () => {
    const errors = errorsOf(submission({ ...defaults, preset: 'rhel10', volumeId: 'MYOS' }));
    expect(Object.keys(errors)).toEqual([BLOCKS.volumeId]);
    expect(errors[BLOCKS.volumeId]).toMatch(
      /builder "rhel10" does not declare the iso-customizations feature/,
    );
  });

  it('refuses bootc-installer on a builder without it under the type, and a yescrypt hash under the users', () => {
    const errors = errorsOf(
      submission({
        ...defaults,
        preset: 'rhel10',
        type: 'bootc-installer',
        payload: 'quay.io/org/app:1',
        users: `admin | | wheel | ${YESCRYPT_HASH}`,
      }),
    );
    expect(errors[BLOCKS.type]).toMatch(/does not declare the bootc-installer feature/);
    expect(errors[BLOCKS.users]).toMatch(/^Line 1 password hash: yescrypt \(\$y\$\) is not kept/);
    expect(errors[BLOCKS.users]).toContain('openssl passwd -6');
  });

  it('reports a preset that no longer exists on the preset block', () => {
    expect(errorsOf(submission({ ...defaults, preset: 'gone' }))).toEqual({
      [BLOCKS.preset]: 'Preset "gone" no longer exists; pick another one',
    });
  });

  it('asks the user to reopen a form whose private_metadata cannot be read', () => {
    for (const metadata of [null, '', 'not json', '{"channelId":42}', 'null']) {
      expect(errorsOf(submission(defaults, metadata))[BLOCKS.image]).toMatch(/out of date: close it and run/);
    }
  });

  it('reads several ticked image types and a Containerfile', () => {
    const view = submission({
      preset: 'centos-stream9',
      arch: 'x86_64',
      containerfile: 'FROM quay.io/centos-bootc/centos-bootc:stream9\n',
    });
    const id = BLOCKS.type;
    view.state.values[id] = { [id]: { selected_options: [{ value: 'raw' }, { value: 'iso' }] } };
    const { input } = inputOf(view);
    expect(input.type).toBe('iso');
    expect(input.types).toEqual(['iso', 'raw']);
    expect(input.containerfile).toBe('FROM quay.io/centos-bootc/centos-bootc:stream9\n');
  });

  it('refuses a form with no architecture selected, and builds an ISO when no type is ticked', () => {
    const errors = errorsOf(submission({ preset: 'centos-stream9', type: null, arch: 'sparc' }));
    expect(errors[BLOCKS.type]).toBeUndefined();
    expect(errors[BLOCKS.arch]).toBe('Choose an architecture');
    const { input } = inputOf(submission({ ...defaults, type: null }));
    expect(input.type).toBe('iso');
    expect(input.types).toBeUndefined();
  });

  describe('with a preset that has types and a derived image', () => {
    const presets = {
      ...config.presets,
      disks: {
        image: 'quay.io/centos-bootc/centos-bootc:stream9',
        builder: 'centos',
        description: 'disks',
        types: ['qcow2', 'raw'] as ('qcow2' | 'raw')[],
        packages: ['tmux', 'vim-enhanced'],
      },
      recipe: {
        image: 'quay.io/centos-bootc/centos-bootc:stream9',
        builder: 'centos',
        description: 'from a file',
        containerfile: '/etc/bootc-iso/recipe.Containerfile',
      },
    };
    const withPresets = { ...ctx, config: { ...config, presets } };

    it('applies its types when none is ticked and its packages as a derived image', () => {
      const out = readBuildSubmission(
        submission({ preset: 'disks', type: null, arch: 'x86_64' }),
        withPresets,
      );
      if (!out.ok) throw new Error(JSON.stringify(out.errors));
      expect(out.input).toMatchObject({ preset: 'disks', type: 'qcow2', types: ['qcow2', 'raw'] });
      expect(out.input.containerfile).toBe(
        'FROM quay.io/centos-bootc/centos-bootc:stream9\nRUN dnf install -y tmux vim-enhanced && dnf clean all\n',
      );
    });

    it("keeps the ticked types and a pasted Containerfile over the preset's", () => {
      const own = 'FROM quay.io/centos-bootc/centos-bootc:stream9\nRUN true\n';
      const out = readBuildSubmission(
        submission({ preset: 'disks', type: 'vmdk', arch: 'x86_64', containerfile: own }),
        withPresets,
      );
      if (!out.ok) throw new Error(JSON.stringify(out.errors));
      expect(out.input.type).toBe('vmdk');
      expect(out.input.types).toBeUndefined();
      expect(out.input.containerfile).toBe(own);
    });

    it('applies nothing of the preset to a typed image', () => {
      const out = readBuildSubmission(
        submission({ preset: 'disks', type: null, arch: 'x86_64', image: 'quay.io/org/app:1.0' }),
        withPresets,
      );
      if (!out.ok) throw new Error(JSON.stringify(out.errors));
      expect(out.input.type).toBe('iso');
      expect(out.input.containerfile).toBeUndefined();
    });

    it('uses the Containerfile read at start, and says so next to the preset when it could not be read', () => {
      const text = 'FROM quay.io/centos-bootc/centos-bootc:stream9\nRUN touch /etc/recipe\n';
      const read = readBuildSubmission(submission({ preset: 'recipe', type: null, arch: 'x86_64' }), {
        ...withPresets,
        presetContainerfiles: { recipe: { text } },
      });
      if (!read.ok) throw new Error(JSON.stringify(read.errors));
      expect(read.input.containerfile).toBe(text);
      const missing = readBuildSubmission(submission({ preset: 'recipe', type: null, arch: 'x86_64' }), {
        ...withPresets,
        presetContainerfiles: { recipe: { problem: '/etc/bootc-iso/recipe.Containerfile: ENOENT' } },
      });
      expect(missing.ok).toBe(false);
      if (!missing.ok) expect(missing.errors[BLOCKS.preset]).toContain('recipe.Containerfile: ENOENT');
      const bad = readBuildSubmission(submission({ preset: 'recipe', type: null, arch: 'x86_64' }), {
        ...withPresets,
        presetContainerfiles: { recipe: { text: 'FROM docker.io/library/alpine:3\n' } },
      });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.errors[BLOCKS.preset]).toContain('FROM must be the source image');
        expect(bad.errors[BLOCKS.containerfile]).toBeUndefined();
      }
    });
  });

  it('keeps every message short, joining several problems on one block', () => {
    const users = Array.from(
      { length: 20 },
      (_, i) => `User${i} | not-a-key ${'x'.repeat(300)} | Wheel`,
    ).join('\n');
    const errors = errorsOf(submission({ ...defaults, users, image: `quay.io/${'A'.repeat(900)}:t` }));
    for (const message of Object.values(errors)) expect(message.length).toBeLessThanOrEqual(300);
    expect(errors[BLOCKS.users]).toContain(' · ');
  });
});
