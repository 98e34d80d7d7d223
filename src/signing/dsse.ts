import { sign, verify } from 'node:crypto';
import type { SigningKey, VerifyKey } from './artifact-key.ts';

/** A DSSE envelope (the JSON form in-toto attestations travel in). */
export interface DsseEnvelope {
  payloadType: string;
  /** Standard base64 of the payload bytes. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The pre-authentication encoding that is signed: "DSSEv1 <len> <type> <len> <body>", lengths in bytes. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/** Base64 of the DER ECDSA signature over sha256(data): the form openssl dgst and cosign verify-blob read. */
export function signBlob(key: SigningKey, data: Buffer): string {
  return sign('sha256', data, key.privateKey).toString('base64');
}

export function verifyBlob(key: VerifyKey, data: Buffer, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64.trim(), 'base64');
  if (signature.length === 0) return false;
  try {
    return verify('sha256', data, key.publicKey, signature);
  } catch {
    return false;
  }
}

export function signEnvelope(key: SigningKey, payloadType: string, payload: Buffer): DsseEnvelope {
  return {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: key.keyId, sig: signBlob(key, preAuthEncoding(payloadType, payload)) }],
  };
}

/** Checks the envelope's shape and that one of its signatures is by `key`; returns the payload bytes. */
export function openEnvelope(
  key: VerifyKey,
  value: unknown,
): { ok: true; payload: Buffer; payloadType: string } | { ok: false; why: string } {
  const e = value as Partial<DsseEnvelope> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.payloadType !== 'string' ||
    typeof e.payload !== 'string' ||
    !Array.isArray(e.signatures)
  ) {
    return { ok: false, why: 'is not a DSSE envelope (payloadType, payload, signatures)' };
  }
  const payload = Buffer.from(e.payload, 'base64');
  const pae = preAuthEncoding(e.payloadType, payload);
  const good = e.signatures.some((s) => typeof s?.sig === 'string' && verifyBlob(key, pae, s.sig));
  if (!good) {
    const ids = e.signatures.map((s) => s?.keyid || '(no key id)').join(', ');
    return { ok: false, why: `no signature verifies with key ${key.keyId} (signed by ${ids || 'nobody'})` };
  }
  return { ok: true, payload, payloadType: e.payloadType };
}
