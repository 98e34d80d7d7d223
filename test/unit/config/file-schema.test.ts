import { describe, expect, it } from 'vitest';
import { DEFAULT_BUILDERS, DEFAULT_PRESETS } from '../../../src/config/defaults.ts';
import { CONFIG_FILE, loadYaml, yamlProblems } from './load-helpers.ts';

const FILE = CONFIG_FILE;
const load = loadYaml;
const problems = yamlProblems;

describe('config file schema', () => {
  it('gives every absent section its default', () => {
    const config = load('{}\n');
    expect(config.builders).toEqual(DEFAULT_BUILDERS);
    expect(config.presets).toEqual(DEFAULT_PRESETS);
    expect(config.defaultBuilder).toBe('rhel9');
    expect(config.allowedRegistries).toEqual(['registry.redhat.io', 'quay.io']);
    expect(config.registries).toEqual({});
    expect(config.worker).toEqual({
      concurrency: 1,
      workDir: '/var/lib/bootc-iso/work',
      containerStorage: '/var/lib/containers/storage',
      minFreeDiskGiB: 20,
      podman: 'podman',
      timeouts: { loginSeconds: 60, pullSeconds: 1800, buildSeconds: 3600, uploadSeconds: 3600 },
      attempts: 3,
      backoffSeconds: 30,
      lockSeconds: 120,
      shutdownGraceSeconds: 0,
      derive: { network: 'none', timeoutSeconds: 1800 },
      warm: { intervalMinutes: 30 },
    });
    expect(config.access.limits).toEqual({ perUser: 3, perChannel: 0 });
  });

  it('fills in the worker fields a partial worker section leaves out', () => {
    const config = load('worker:\n  concurrency: 4\n  timeouts: { buildSeconds: 7200 }\n');
    expect(config.worker.concurrency).toBe(4);
    expect(config.worker.timeouts).toEqual({
      loginSeconds: 60,
      pullSeconds: 1800,
      buildSeconds: 7200,
      uploadSeconds: 3600,
    });
    expect(config.worker.attempts).toBe(3);
  });

  it('treats a field with an empty value as left out', () => {
    const config = load('builders:\nregistries:\nworker:\n  storeCache:\n  concurrency: 2\n');
    expect(config.builders).toEqual(DEFAULT_BUILDERS);
    expect(config.worker.storeCache).toBeUndefined();
    expect(config.worker.concurrency).toBe(2);
  });

  it('replaces the whole builders list when the section is given', () => {
    const config = load(
      'builders:\n  centos: { image: quay.io/centos-bootc/bootc-image-builder:latest }\ndefaultBuilder: centos\n' +
        'presets: {}\n',
    );
    expect(Object.keys(config.builders)).toEqual(['centos']);
  });

  it('reads builders.<name>.features; none listed is the shipped baseline', () => {
    const config = load(
      'builders:\n  new: { image: quay.io/b/bib:2, features: [iso-customizations, yescrypt] }\n' +
        '  old: { image: quay.io/b/bib:1 }\ndefaultBuilder: new\npresets: {}\nallowedRegistries: [quay.io]\n',
    );
    expect(config.builders.new?.features).toEqual(['iso-customizations', 'yescrypt']);
    expect(config.builders.old?.features).toBeUndefined();
    expect(DEFAULT_BUILDERS.rhel9?.features).toEqual([]);
    expect(DEFAULT_BUILDERS.centos?.features).toEqual(['iso-customizations', 'bootc-installer']);
  });

  it('refuses a builder feature it does not know, listing the known ones', () => {
    const found = problems(
      'builders:\n  b: { image: quay.io/b/bib:2, features: [iso] }\ndefaultBuilder: b\npresets: {}\nallowedRegistries: [quay.io]\n',
    );
    expect(found.join('\n')).toMatch(
      /builders\.b\.features\[0\].*iso-customizations.*bootc-installer.*yescrypt/,
    );
  });

  it('rejects a preset whose builder does not exist, naming the file, the path and the builders', () => {
    const yaml = 'presets:\n  rhel9: { image: registry.redhat.io/rhel9/rhel-bootc:9.7, builder: rhel11 }\n';
    expect(problems(yaml)).toEqual([
      `${FILE}: presets.rhel9.builder: "rhel11" is not one of the builders (rhel9, rhel10, centos); ` +
        'name one of them or add "rhel11" under builders',
    ]);
  });

  it('reads preset types, packages and a Containerfile path, and refuses both of the last two', () => {
    const preset = 'image: registry.redhat.io/rhel9/rhel-bootc:9.7, builder: rhel9';
    const config = load(`presets:\n  vm: { ${preset}, types: [qcow2, raw], packages: [tmux] }\n`);
    expect(config.presets.vm?.types).toEqual(['qcow2', 'raw']);
    expect(config.presets.vm?.packages).toEqual(['tmux']);
    expect(problems(`presets:\n  vm: { ${preset}, containerfile: /etc/cf, packages: [tmux] }\n`)).toEqual([
      `${FILE}: presets.vm: has both containerfile and packages; keep one (add the packages to the Containerfile)`,
    ]);
    expect(problems(`presets:\n  vm: { ${preset}, types: [ova] }\n`)).toHaveLength(1);
  });

  it('rejects a defaultBuilder that does not exist', () => {
    expect(problems('defaultBuilder: rhel8\n')).toEqual([
      `${FILE}: defaultBuilder: "rhel8" is not one of the builders (rhel9, rhel10, centos); name one of them or add it under builders`,
    ]);
  });

  it('does not mistake Object.prototype members for builders', () => {
    const yaml =
      'defaultBuilder: constructor\npresets:\n  x: { image: quay.io/a/b:1, builder: constructor }\n';
    expect(problems(yaml)).toHaveLength(2);
  });

  it('returns records without a prototype, so user input cannot look up "constructor"', () => {
    const config = load('{}\n');
    expect(config.builders.constructor).toBeUndefined();
    expect(config.presets.toString).toBeUndefined();
  });

  it('rejects a tag-less builder image and suggests pinning it', () => {
    const yaml = 'builders:\n  rhel9: { image: registry.redhat.io/rhel9/bootc-image-builder }\n';
    expect(problems(yaml)).toEqual([
      `${FILE}: builders.rhel9.image: builder image "registry.redhat.io/rhel9/bootc-image-builder" has no tag or digest; ` +
        'pin it, e.g. registry.redhat.io/rhel9/bootc-image-builder:<tag> or registry.redhat.io/rhel9/bootc-image-builder@sha256:<digest>',
    ]);
  });

  it('accepts a builder pinned by digest only', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const config = load(
      `builders:\n  rhel9: { image: "registry.redhat.io/rhel9/bootc-image-builder@${digest}" }\npresets: {}\n`,
    );
    expect(config.builders.rhel9?.image).toContain(digest);
  });

  it('rejects a preset image without a tag, since bootc-image-builder needs one', () => {
    const yaml = `presets:\n  p: { image: "quay.io/a/b@sha256:${'ab'.repeat(32)}", builder: centos }\n`;
    expect(problems(yaml)).toEqual([
      expect.stringMatching(
        /^config\/bootc-iso.yaml: presets.p.image: source image .* has a digest but no tag/,
      ),
    ]);
  });

  it('rejects a short image name that podman would resolve differently per host', () => {
    const yaml = 'presets:\n  fedora: { image: "fedora-bootc:42", builder: centos }\n';
    expect(problems(yaml)[0]).toMatch(
      /presets.fedora.image: source image "fedora-bootc:42" is not fully qualified/,
    );
  });

  it('rejects builder and preset images on registries that are not allowed', () => {
    const lines = problems('allowedRegistries: [quay.io]\n');
    expect(lines).toContain(
      `${FILE}: builders.rhel9.image: "registry.redhat.io/rhel9/bootc-image-builder:9.7" is on registry.redhat.io, ` +
        'which is not in allowedRegistries (quay.io); add registry.redhat.io to allowedRegistries or use an image from an allowed registry',
    );
    expect(lines.filter((line) => line.includes('not in allowedRegistries'))).toHaveLength(4);
  });

  it('rejects allowedRegistries entries that are not lowercase host[:port]', () => {
    const lines = problems(
      'allowedRegistries: [registry.redhat.io, quay.io, "https://x.io", Quay.IO, "a.io:99999"]\n',
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^config\/bootc-iso.yaml: allowedRegistries\[2\]: "https:\/\/x.io" is not a registry host/,
      ),
      `${FILE}: allowedRegistries[3]: "Quay.IO" must be written in lowercase; write "quay.io"; write host or host:port, without scheme or path`,
      expect.stringMatching(
        /^config\/bootc-iso.yaml: allowedRegistries\[4\]: "a.io:99999" is not a registry host\[:port\]: it has the port/,
      ),
    ]);
  });

  it('accepts each registries form: password, passwordFile, anonymous and insecure', () => {
    const config = load(
      'registries:\n' +
        '  registry.redhat.io: { username: me, password: pw }\n' +
        '  quay.io: { username: robot, passwordFile: /etc/bootc-iso/quay.pass }\n' +
        '  "10.0.0.5:5000": { insecure: true }\n',
    );
    expect(config.registries).toEqual({
      'registry.redhat.io': { username: 'me', password: 'pw', insecure: false },
      'quay.io': { username: 'robot', passwordFile: '/etc/bootc-iso/quay.pass', insecure: false },
      '10.0.0.5:5000': { insecure: true },
    });
  });

  it.each([
    [
      '{ username: me, password: pw, passwordFile: /p }',
      'has both password and passwordFile; keep exactly one of them',
    ],
    [
      '{ username: me }',
      'has a username but no password; add password or passwordFile, or remove username for anonymous pulls',
    ],
    ['{ password: pw }', 'has a password but no username; add username'],
    [
      '{ username: me, passwordFile: relative/p }',
      '"relative/p" is not absolute; write a path starting with /',
    ],
    ['{ insecure: sometimes }', '"sometimes" is not true or false; write true or false'],
    ['{ user: me }', 'has an unknown field "user"'],
  ])('rejects the registries entry %s', (entry, problem) => {
    const [line] = problems(`registries:\n  quay.io: ${entry}\n`);
    expect(line).toMatch(/^config\/bootc-iso.yaml: registries\["quay.io"\]/);
    expect(line).toContain(problem);
  });

  it('rejects registries keys that are not host[:port]', () => {
    expect(problems('registries:\n  "quay.io/org": {}\n')[0]).toMatch(
      /^config\/bootc-iso.yaml: registries\["quay.io\/org"\]: "quay.io\/org" is not a registry host/,
    );
  });

  it.each([
    ['concurrency: 0', 'worker.concurrency: 0 is under the minimum of 1; set at least 1'],
    ['concurrency: 33', 'worker.concurrency: 33 is over the maximum of 32; set at most 32'],
    ['concurrency: 1.5', 'worker.concurrency: 1.5 is not a whole number; write a whole number'],
    ['concurrency: lots', 'worker.concurrency: "lots" is not a number; write a number'],
    ['minFreeDiskGiB: -1', 'worker.minFreeDiskGiB: -1 is under the minimum of 0; set at least 0'],
    ['attempts: 0', 'worker.attempts: 0 is under the minimum of 1; set at least 1'],
    ['backoffSeconds: -1', 'worker.backoffSeconds: -1 is under the minimum of 0; set at least 0'],
    [
      'timeouts: { pullSeconds: 0 }',
      'worker.timeouts.pullSeconds: 0 is under the minimum of 1; set at least 1',
    ],
    [
      'timeouts: { buildSeconds: 3600000 }',
      'worker.timeouts.buildSeconds: 3600000 is over the maximum of 604800',
    ],
    ['workDir: var/lib/work', 'worker.workDir: "var/lib/work" is not absolute; write a path starting with /'],
    [
      'storeCache: "/srv/a:b"',
      'worker.storeCache: "/srv/a:b" contains ":" or ","; podman -v cannot mount it',
    ],
    [
      'podman: "podman --remote"',
      'worker.podman: "podman --remote" is not an executable name or absolute path',
    ],
    ['concurency: 2', 'worker: has an unknown field "concurency" (did you mean "concurrency"?)'],
  ])('rejects worker %s', (field, expected) => {
    const lines = problems(`worker:\n  ${field}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${FILE}: ${expected}`);
  });

  it('accepts minFreeDiskGiB of 0 and fractional values', () => {
    expect(load('worker: { minFreeDiskGiB: 0 }\n').worker.minFreeDiskGiB).toBe(0);
    expect(load('worker: { minFreeDiskGiB: 2.5 }\n').worker.minFreeDiskGiB).toBe(2.5);
  });

  it('rejects invalid builder and preset names and unknown top-level fields', () => {
    const lines = problems(
      'builders:\n  "RHEL 9": { image: registry.redhat.io/rhel9/bootc-image-builder:9.7 }\nbuilder: {}\n',
    );
    expect(lines).toContain(
      `${FILE}: builders["RHEL 9"]: "RHEL 9" is not a valid name; use up to 63 lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
    expect(lines[0]).toMatch(
      /^config\/bootc-iso.yaml: \(top level\): has an unknown field "builder" \(did you mean "builders"\?\)/,
    );
  });

  it('reports wrong types with what was expected', () => {
    expect(problems('allowedRegistries: quay.io\n')).toEqual([
      `${FILE}: allowedRegistries: "quay.io" is not a list; write a list`,
    ]);
    expect(problems('presets:\n  x: { builder: centos }\n')).toEqual([
      `${FILE}: presets.x.image: is required; add it (a string)`,
    ]);
  });

  it('reports problems from every section in one pass', () => {
    const lines = problems(
      'defaultBuilder: nope\nallowedRegistries: [quay.io, registry.redhat.io, Bad]\nworker: { concurrency: 0, attempts: 0 }\n',
    );
    expect(lines).toHaveLength(4);
  });
});
