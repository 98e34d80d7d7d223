import { describe, expect, it } from 'vitest';
import { keyIdOf, parseSigningKey, parseVerifyKey } from '../../../src/signing/artifact-key.ts';
import { PROVENANCE, SHA256SUMS, SHA256SUMS_SIG, sha256Of } from '../../../src/signing/checksums.ts';
import { openEnvelope, preAuthEncoding, signEnvelope, verifyBlob } from '../../../src/signing/dsse.ts';
import { BUILD_TYPE, publicParameters } from '../../../src/signing/provenance.ts';
import { ARTIFACTS, newKeyPair, REQUEST, trustFilesFor } from './signed-build.ts';

describe('DSSE', () => {
  it('encodes the pre-authentication string as the DSSE spec shows it', () => {
    expect(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });

  it('counts bytes, not characters', () => {
    expect(preAuthEncoding('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
  });

  it('opens an envelope signed by the key and refuses one by another key or with a changed payload', () => {
    const key = parseSigningKey(newKeyPair().privatePem);
    const other = parseVerifyKey(newKeyPair().publicPem);
    const envelope = signEnvelope(key, 'application/vnd.in-toto+json', Buffer.from('{"a":1}'));
    expect(envelope.signatures[0]?.keyid).toBe(key.keyId);
    const opened = openEnvelope(key, envelope);
    expect(opened).toMatchObject({ ok: true });
    expect(openEnvelope(other, envelope)).toMatchObject({
      ok: false,
      why: expect.stringContaining(key.keyId),
    });
    const changed = { ...envelope, payload: Buffer.from('{"a":2}').toString('base64') };
    expect(openEnvelope(key, changed)).toMatchObject({ ok: false });
    // The type is signed too: relabelling the payload breaks the signature.
    expect(openEnvelope(key, { ...envelope, payloadType: 'text/plain' })).toMatchObject({ ok: false });
    expect(openEnvelope(key, { payload: 'x' })).toMatchObject({ ok: false, why: /not a DSSE envelope/ });
  });
});

describe('keys', () => {
  it('names a key by the sha256 of its DER public key, the same from either half', () => {
    const pair = newKeyPair();
    const signing = parseSigningKey(pair.privatePem);
    const verifying = parseVerifyKey(pair.publicPem);
    expect(signing.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(signing.keyId).toBe(verifying.keyId);
    expect(keyIdOf(verifying.publicKey)).toBe(
      sha256Of(verifying.publicKey.export({ type: 'spki', format: 'der' })),
    );
  });

  it('refuses keys that are not P-256, and never echoes key text', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => parseSigningKey(rsa, '/etc/k.pem')).toThrow(
      /\/etc\/k\.pem holds a rsa key; signing needs ECDSA P-256/,
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(() => parseVerifyKey(p384)).toThrow(/EC secp384r1/);
    const garbage = '-----BEGIN PRIVATE KEY-----\nnotakey\n-----END PRIVATE KEY-----\n';
    expect(() => parseSigningKey(garbage, 'k')).toThrow(/^k is not an unencrypted PEM private key$/);
  });
});

describe('trust files', () => {
  it('without a key: SHA256SUMS only, saying the build is unsigned', () => {
    const t = trustFilesFor(undefined);
    expect(t.files.map((f) => f.filename)).toEqual([SHA256SUMS]);
    expect(t.keyId).toBeUndefined();
    expect(t.note).toMatch(/unsigned/);
  });

  it('with a key: a signature of SHA256SUMS and a signed in-toto SLSA provenance naming every artifact', () => {
    const pair = newKeyPair();
    const key = parseSigningKey(pair.privatePem);
    const t = trustFilesFor(key);
    expect(t.files.map((f) => f.filename)).toEqual([SHA256SUMS, SHA256SUMS_SIG, PROVENANCE]);
    const [sums, sig, provenance] = t.files.map((f) => f.body) as [Buffer, Buffer, Buffer];
    expect(verifyBlob(parseVerifyKey(pair.publicPem), sums, sig.toString())).toBe(true);
    const opened = openEnvelope(key, JSON.parse(provenance.toString()));
    if (!opened.ok) throw new Error(opened.why);
    expect(opened.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(opened.payload.toString());
    expect(statement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      subject: Object.entries(ARTIFACTS).map(([name, body]) => ({
        name,
        digest: { sha256: sha256Of(body) },
      })),
      predicate: {
        buildDefinition: {
          buildType: BUILD_TYPE,
          externalParameters: { source: 'quay.io/acme/os:1.0', type: 'anaconda-iso', arch: 'x86_64' },
          internalParameters: { workerHost: 'worker-1' },
          resolvedDependencies: [
            { name: 'source', uri: 'oci://quay.io/acme/os:1.0', digest: { sha256: '1'.repeat(64) } },
            { name: 'builder', uri: `oci://${REQUEST.builder.image}`, digest: { sha256: '2'.repeat(64) } },
          ],
        },
        runDetails: {
          builder: { id: expect.stringMatching(/worker-1$/) },
          metadata: {
            invocationId: 'b7k2m9qxz',
            startedOn: '2026-12-05T03:01:00.000Z',
            finishedOn: '2026-12-05T03:09:00.000Z',
          },
        },
      },
    });
  });

  it('keeps secrets and the requester out of the published parameters', () => {
    const text = JSON.stringify(publicParameters(REQUEST));
    expect(text).not.toContain('secrethash');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('requester');
    expect(text).toContain(sha256Of('rootpw --plaintext hunter2\n'));
    expect(text).toContain('ssh-ed25519 AAAA alice');
  });
});
