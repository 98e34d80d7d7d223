import { describe, expect, it } from 'vitest';
import { formatImageRef, parseImageRef, registryOf } from '../../../src/domain/image-ref.ts';
import { appErrorFrom, HOSTILE_REFS, SHA256_DIGEST } from './fixtures.ts';

function refusal(input: string, opts?: Parameters<typeof parseImageRef>[1]) {
  return appErrorFrom(() => parseImageRef(input, opts));
}

describe('parseImageRef', () => {
  it('parses a registry, a nested repository and a tag', () => {
    expect(parseImageRef('quay.io/centos-bootc/centos-bootc:stream9')).toEqual({
      registry: 'quay.io',
      repository: 'centos-bootc/centos-bootc',
      tag: 'stream9',
    });
  });

  it('keeps both the tag and the digest when a reference has both', () => {
    expect(parseImageRef(`quay.io/org/image:1.0@${SHA256_DIGEST}`)).toEqual({
      registry: 'quay.io',
      repository: 'org/image',
      tag: '1.0',
      digest: SHA256_DIGEST,
    });
  });

  it('accepts registries with ports, localhost, IPv4 and bracketed IPv6 addresses', () => {
    expect(parseImageRef('registry.example.com:5000/img:v1').registry).toBe('registry.example.com:5000');
    expect(parseImageRef('localhost/img:v1').registry).toBe('localhost');
    expect(parseImageRef('localhost:5000/a/b/c:v1').repository).toBe('a/b/c');
    expect(parseImageRef('10.0.0.1:5000/img:v1').registry).toBe('10.0.0.1:5000');
    expect(parseImageRef('[::1]:5000/img:v1').registry).toBe('[::1]:5000');
    expect(parseImageRef('[fd00:dead:beef::1]/img:v1').registry).toBe('[fd00:dead:beef::1]');
    expect(parseImageRef('[::ffff:10.0.0.1]:443/img:v1').registry).toBe('[::ffff:10.0.0.1]:443');
  });

  it('lowercases the registry host but leaves the tag as written', () => {
    expect(parseImageRef('Quay.IO/org/image:Stream9')).toEqual({
      registry: 'quay.io',
      repository: 'org/image',
      tag: 'Stream9',
    });
  });

  it('accepts every separator the path grammar allows', () => {
    expect(parseImageRef('quay.io/a.b/c_d/e__f/g-h/i---j:t').repository).toBe('a.b/c_d/e__f/g-h/i---j');
  });

  it('accepts untagged and digest-only references when the caller does not require a tag', () => {
    expect(parseImageRef('quay.io/org/image', { requireTag: false })).toEqual({
      registry: 'quay.io',
      repository: 'org/image',
    });
    expect(parseImageRef(`quay.io/org/image@${SHA256_DIGEST}`, { requireTag: false }).digest).toBe(
      SHA256_DIGEST,
    );
  });

  it('accepts a digest from another algorithm that follows the general grammar', () => {
    const digest = `sha512:${'b'.repeat(128)}`;
    expect(parseImageRef(`quay.io/org/image:t@${digest}`).digest).toBe(digest);
    expect(parseImageRef(`quay.io/org/image:t@multihash+base58:${'Q'.repeat(40)}`).digest).toBeDefined();
  });

  it('refuses an untagged reference because bootc-image-builder needs a tagged image', () => {
    const error = refusal('quay.io/org/image');
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain('bootc-image-builder needs a tagged image: add :tag');
    expect(error.message).toContain('quay.io/org/image:latest');
  });

  it('refuses a digest-only reference when a tag is required, saying where the tag goes', () => {
    const error = refusal(`quay.io/org/image@${SHA256_DIGEST}`);
    expect(error.message).toContain('has a digest but no tag');
    expect(error.message).toContain('bootc-image-builder needs a tagged image: add :tag');
  });

  it('refuses short names instead of defaulting to docker.io', () => {
    for (const input of ['ubuntu:22.04', 'library/fedora:40', 'MyRegistry/org/image:tag']) {
      const error = refusal(input);
      expect(error.message).toContain('not fully qualified');
      expect(error.message).toContain(
        'use a fully qualified reference like registry.example.com/org/image:tag',
      );
    }
  });

  it('refuses a registry with no repository', () => {
    expect(refusal('quay.io').message).toContain('names only a registry');
    expect(refusal('localhost:5000').message).toContain('names only a registry');
  });

  it('refuses option-like references that podman would read as flags', () => {
    expect(refusal(HOSTILE_REFS.optionPrivileged).message).toContain('looks like a command-line option');
    expect(refusal(HOSTILE_REFS.optionVolume).message).toContain('looks like a command-line option');
  });

  it('refuses shell metacharacters with a message naming the character', () => {
    expect(refusal(HOSTILE_REFS.shellSemicolon).message).toContain('whitespace');
    expect(refusal('quay.io/org/image:tag;id').message).toContain('contains ";"');
    expect(refusal(HOSTILE_REFS.shellSubstitution).message).toContain('contains "$"');
    expect(refusal(HOSTILE_REFS.shellBackticks).message).toContain('contains "`"');
    expect(refusal('quay.io/org/image:tag|sh').message).toContain('contains "|"');
  });

  it('refuses line breaks and NUL as control characters, escaping them in the message', () => {
    const newline = refusal(HOSTILE_REFS.newline);
    expect(newline.message).toContain('control character U+000A (line feed)');
    expect(newline.message).toContain('\\u{a}');
    expect(newline.message).not.toContain('\n');
    expect(refusal(HOSTILE_REFS.nul).message).toContain('U+0000 (NUL)');
    expect(refusal('quay.io/org/image:tag\r').message).toContain('carriage return');
  });

  it('refuses Unicode look-alikes and bidi overrides', () => {
    const colon = refusal(HOSTILE_REFS.fullwidthColon);
    expect(colon.message).toContain('non-ASCII character "：" (U+FF1A)');
    expect(colon.message).toContain('look-alike');
    expect(refusal(HOSTILE_REFS.cyrillicHost).message).toContain('U+0430');
    expect(refusal(HOSTILE_REFS.bidiOverride).message).toContain('U+202E');
  });

  it('refuses whitespace anywhere, including a leading space and non-breaking spaces', () => {
    expect(refusal(' quay.io/org/image:tag').message).toContain('contains whitespace');
    expect(refusal('quay.io/org/image:tag ').message).toContain('contains whitespace');
    expect(refusal('quay.io/org/image\u00a0:tag').message).toContain('contains whitespace');
  });

  it('refuses URLs and tells the user to drop the scheme', () => {
    const https = refusal('https://quay.io/org/image:tag');
    expect(https.message).toContain('drop the scheme');
    expect(https.message).toContain('"quay.io/org/image:tag"');
    expect(refusal('docker://quay.io/org/image:tag').message).toContain('"docker://"');
    expect(refusal('oci-archive://x/y:z').message).toContain('drop the scheme');
  });

  it('refuses uppercase letters in the repository and suggests the lowercase form', () => {
    const error = refusal('quay.io/Org/Image:tag');
    expect(error.message).toContain('uppercase');
    expect(error.message).toContain('"org/image"');
  });

  it('refuses ".." and empty path components with their own messages', () => {
    expect(refusal('quay.io/org/../etc:tag').message).toContain('".."');
    expect(refusal('quay.io/org//image:tag').message).toContain('empty path component');
    expect(refusal('quay.io/org/image/:tag').message).toContain('empty path component');
  });

  it('refuses path components that break the separator rules', () => {
    for (const input of [
      'quay.io/org/-image:t',
      'quay.io/org/image-:t',
      'quay.io/org/im___age:t',
      'quay.io/.org/image:t',
    ]) {
      expect(refusal(input).message).toContain('path component');
    }
  });

  it('refuses bad tags: empty, too long, or with a bad first character', () => {
    expect(refusal('quay.io/org/image:').message).toContain('empty tag');
    expect(refusal(`quay.io/org/image:${'a'.repeat(129)}`).message).toContain('tags are at most 128');
    expect(refusal('quay.io/org/image:.hidden').message).toContain('tag ".hidden"');
    expect(refusal('quay.io/org/image:-x').message).toContain('tag "-x"');
    expect(parseImageRef(`quay.io/org/image:${'a'.repeat(128)}`).tag).toHaveLength(128);
  });

  it('refuses malformed digests, naming what a digest looks like', () => {
    expect(refusal('quay.io/org/image:t@').message).toContain('empty digest');
    expect(refusal('quay.io/org/image:t@sha256:abc').message).toContain('sha256:<64 hex digits>');
    expect(refusal(`quay.io/org/image:t@sha256:${'A'.repeat(64)}`).message).toContain(
      '64 lowercase hex digits',
    );
    expect(refusal(`quay.io/org/image:t@sha256:${'a'.repeat(63)}g`).message).toContain(
      '64 lowercase hex digits',
    );
    expect(refusal(`quay.io/org/image:t@${SHA256_DIGEST}@${SHA256_DIGEST}`).message).toContain(
      'more than one "@"',
    );
  });

  it('refuses bad ports, bad IPv4 addresses, bad hostnames and unbracketed IPv6', () => {
    expect(refusal('quay.io:/org/image:t').message).toContain('empty port');
    expect(refusal('quay.io:0/org/image:t').message).toContain('port "0"');
    expect(refusal('quay.io:65536/org/image:t').message).toContain('port "65536"');
    expect(refusal('quay.io:http/org/image:t').message).toContain('port "http"');
    expect(refusal('999.1.1.1/org/image:t').message).toContain('not a valid IPv4 address');
    expect(refusal('-quay.io/org/image:t').message).toContain('command-line option');
    expect(refusal('quay-.io/org/image:t').message).toContain('part "quay-" is invalid');
    expect(refusal('quay.io./org/image:t').message).toContain('empty label');
    expect(refusal('fd00::1/org/image:t').message).toContain('IPv6 addresses in brackets');
    expect(refusal('[fd00::zz]/org/image:t').message).toContain('not a valid [IPv6] address');
    expect(refusal('[1:2:3:4:5:6:7:8:9]/org/image:t').message).toContain('not a valid [IPv6] address');
    expect(refusal('[::1]:99999/org/image:t').message).toContain('port "99999"');
  });

  it('refuses names over 255 characters and absurdly long input', () => {
    const longName = `quay.io/${'a'.repeat(250)}:t`;
    expect(refusal(longName).message).toContain('the limit is 255');
    expect(refusal(`quay.io/org/image:${'a'.repeat(100_000)}`).message).toContain('100018 characters long');
  });

  it('refuses empty input with a hint of the expected form', () => {
    expect(refusal('').message).toBe(
      'image reference is empty; use a fully qualified reference like registry.example.com/org/image:tag',
    );
  });

  it('names the field and label it was given, and truncates long input in messages', () => {
    const error = refusal(`quay.io/ORG/${'x'.repeat(200)}:t`, { field: 'source', label: 'source image' });
    expect(error.field).toBe('source');
    expect(error.message.startsWith('source image "quay.io/ORG/')).toBe(true);
    expect(error.message).toContain('…"');
    expect(error.message.length).toBeLessThan(400);
  });

  it('gives every refusal its own message', () => {
    const inputs = [
      '',
      '--privileged',
      'ubuntu:22.04',
      'quay.io',
      'https://quay.io/a:b',
      'quay.io/a b:c',
      'quay.io/a\u0000:b',
      'quay.io/a\uff1ab',
      'quay.io/a$:b',
      'quay.io/A:b',
      'quay.io/../a:b',
      'quay.io//a:b',
      'quay.io/a:',
      'quay.io/a:.b',
      'quay.io/a:b@',
      'quay.io/a:b@sha256:0',
      'quay.io/a',
      `quay.io/a@${SHA256_DIGEST}`,
      'quay.io:0/a:b',
      '1.2.3.999/a:b',
      'fd00::1/a:b',
    ];
    const messages = inputs.map((input) => refusal(input).message.replace(/"[^"]*"/g, '""'));
    expect(new Set(messages).size).toBe(inputs.length);
  });
});

describe('formatImageRef', () => {
  it('writes registry/repository[:tag][@digest] and round-trips through parseImageRef', () => {
    for (const input of [
      'quay.io/org/image:tag',
      `quay.io/org/image:tag@${SHA256_DIGEST}`,
      '[::1]:5000/a/b:c',
      'localhost:5000/x:y',
    ]) {
      expect(formatImageRef(parseImageRef(input))).toBe(input);
    }
    expect(formatImageRef({ registry: 'quay.io', repository: 'a', digest: SHA256_DIGEST })).toBe(
      `quay.io/a@${SHA256_DIGEST}`,
    );
  });
});

describe('registryOf', () => {
  it('returns the lowercased host and port of tagged and untagged references', () => {
    expect(registryOf('Registry.Example.com:5000/org/image')).toBe('registry.example.com:5000');
    expect(registryOf('quay.io/org/image:tag')).toBe('quay.io');
  });

  it('throws INVALID_REQUEST for something that is not a reference', () => {
    expect(appErrorFrom(() => registryOf('not a ref')).code).toBe('INVALID_REQUEST');
  });
});
