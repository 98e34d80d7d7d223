import { createRequire } from 'node:module';

/** The slice of s3rver 3.7.1's account model used here (lib/models/account.js; the package ships no types). */
interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  revokeAccessKey(accessKeyId: string): void;
}

const require = createRequire(import.meta.url);

/**
 * Adds an access key pair to s3rver, which otherwise accepts only S3RVER/S3RVER, so that a test can use a
 * distinctive secret key (the secrets scan looks for it). The testbed's signature guard checks every signature,
 * presigned ones included, against s3rver's account registry; the testbed runs s3rver in this process, so the pair applies to it at once.
 * Returns a function that removes the pair again.
 */
export function addS3rverCredentials(accessKeyId: string, secretAccessKey: string): () => void {
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: S3rverAccount };
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  return () => DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
}
