import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from '../../../src/cli/parse-build-args.ts';
import { loadYaml, yamlProblems } from './load-helpers.ts';

describe('signing and bootTest config sections', () => {
  it('are absent unless configured, so existing configs load unchanged', () => {
    const config = loadYaml('{}');
    expect(config.signing).toBeUndefined();
    expect(config.bootTest).toBeUndefined();
  });

  it('read the key files and the boot test machine, with defaults for what is left out', () => {
    const config = loadYaml(
      [
        'signing:',
        '  privateKeyFile: /etc/bootc-iso/signing.key',
        '  publicKeyFile: /etc/bootc-iso/signing.pub',
        'bootTest:',
        '  cpus: "4"',
        '  timeoutSeconds: 120',
        '  installTimeoutSeconds: 1800',
        'presets:',
        '  demo: { image: "quay.io/a/b:1", builder: centos, bootTest: "true" }',
        'builders:',
        '  centos: { image: "quay.io/centos-bootc/bootc-image-builder:latest" }',
        'defaultBuilder: centos',
      ].join('\n'),
    );
    expect(config.signing).toEqual({
      privateKeyFile: '/etc/bootc-iso/signing.key',
      publicKeyFile: '/etc/bootc-iso/signing.pub',
    });
    expect(config.bootTest).toEqual({
      accel: 'auto',
      memoryMiB: 2048,
      cpus: 4,
      timeoutSeconds: 120,
      marker: 'Linux version',
      qemu: 'qemu-system-x86_64',
      installTimeoutSeconds: 1800,
      loginTimeoutSeconds: 600,
      loginMarker: 'login:',
      diskGiB: 20,
      qemuImg: 'qemu-img',
    });
    expect(config.presets.demo?.bootTest).toBe(true);
  });

  it.each([
    ['signing:\n  privateKeyFile: signing.key', /signing\.privateKeyFile: "signing\.key" is not absolute/],
    ['signing:\n  publicKey: /x', /signing.*unknown field "publicKey"/],
    ['bootTest:\n  accel: hvf', /bootTest\.accel/],
    ['bootTest:\n  memoryMiB: 64', /bootTest\.memoryMiB/],
    ['bootTest:\n  qemu: "qemu; rm -rf /"', /bootTest\.qemu: is not an executable name or absolute path/],
    [
      'bootTest:\n  qemuImg: "qemu-img --help"',
      /bootTest\.qemuImg: is not an executable name or absolute path/,
    ],
    ['bootTest:\n  installTimeoutSeconds: 1', /bootTest\.installTimeoutSeconds/],
    ['bootTest:\n  diskGiB: 0', /bootTest\.diskGiB/],
    ['bootTest:\n  loginMarker: ""', /bootTest\.loginMarker/],
  ])('refuses %j', (yaml, message) => {
    expect(yamlProblems(yaml).join('\n')).toMatch(message);
  });
});

describe('bootc-iso build --boot-test', () => {
  it('asks for a boot test only when given', () => {
    expect(parseBuildArgs(['--preset', 'demo', '--boot-test']).request.bootTest).toBe(true);
    expect(parseBuildArgs(['--preset', 'demo']).request.bootTest).toBeUndefined();
  });
});
