import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError } from '../domain/errors.ts';

/**
 * The key that signs build results (SHA256SUMS and the provenance): ECDSA on P-256 with SHA-256, the one kind
 * openssl, cosign and every DSSE verifier accept without options. Workers hold the private key; the bot and the CLI
 * only ever need the public one.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** SPKI PEM of the public half, what `/signing-key.pub` serves. */
  publicPem: string;
}

export interface VerifyKey {
  publicKey: KeyObject;
  keyId: string;
  publicPem: string;
}

/**
 * The key id written into every signature: hex sha256 of the public key's DER SubjectPublicKeyInfo, so anyone can
 * recompute it from the .pub file: `openssl pkey -pubin -in key.pub -outform DER | sha256sum`.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function requireP256(key: KeyObject, file: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind =
      key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    throw new AppError(
      'CONFIG_INVALID',
      `${file} holds a ${kind} key; signing needs ECDSA P-256: make one with ` +
        '`openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out signing.key`',
    );
  }
}

async function readKeyText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `cannot read the ${what} ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      { cause: error },
    );
  }
}

/** Parses an ECDSA P-256 private key (PKCS#8 or SEC1 PEM, unencrypted). */
export function parseSigningKey(pem: string, file = 'the signing key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The key text never goes into the message.
    throw new AppError('CONFIG_INVALID', `${file} is not an unencrypted PEM private key`, { cause: error });
  }
  requireP256(privateKey, file);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicPem };
}

/** Parses an ECDSA P-256 public key (SPKI PEM, the `-----BEGIN PUBLIC KEY-----` form). */
export function parseVerifyKey(pem: string, file = 'the public key'): VerifyKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new AppError('CONFIG_INVALID', `${file} is not a PEM public key`, { cause: error });
  }
  requireP256(publicKey, file);
  return {
    publicKey,
    keyId: keyIdOf(publicKey),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export async function loadSigningKey(file: string): Promise<SigningKey> {
  return parseSigningKey(await readKeyText(file, 'signing key'), file);
}

export async function loadVerifyKey(file: string): Promise<VerifyKey> {
  return parseVerifyKey(await readKeyText(file, 'public key'), file);
}
