import type { CustomRoute } from '@slack/bolt';
import type { ConfigFile } from '../config/file-schema.ts';
import { loadSigningKey, loadVerifyKey } from './artifact-key.ts';

export const SIGNING_KEY_PATH = '/signing-key.pub';

/**
 * GET /signing-key.pub on the bot's port: the public key builds are signed with (SPKI PEM), with its key id in a
 * header. From signing.publicKeyFile; on a single host that only has the private key, its public half. No route when
 * no key is configured. The key is read once at start, so a bad file stops the bot instead of serving errors.
 */
export async function signingKeyRoutes(signing: ConfigFile['signing']): Promise<CustomRoute[]> {
  const key = signing?.publicKeyFile
    ? await loadVerifyKey(signing.publicKeyFile)
    : signing?.privateKeyFile
      ? await loadSigningKey(signing.privateKeyFile)
      : undefined;
  if (!key) return [];
  return [
    {
      path: SIGNING_KEY_PATH,
      method: ['GET', 'HEAD'],
      handler: (req, res) => {
        res.writeHead(200, {
          'content-type': 'application/x-pem-file',
          'cache-control': 'public, max-age=300',
          'x-signing-key-id': key.keyId,
        });
        res.end(req.method === 'HEAD' ? undefined : key.publicPem);
      },
    },
  ];
}
