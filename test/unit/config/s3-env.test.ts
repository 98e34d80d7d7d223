import { describe, expect, it } from 'vitest';
import { configErrorOf, loadFromEnv } from './load-helpers.ts';

const load = loadFromEnv;
const configError = (env: Record<string, string | undefined>) => configErrorOf(() => load(env));

describe('loadConfig S3 variables', () => {
  it('leaves S3 unconfigured when S3_BUCKET is unset', () => {
    expect(load({}).s3).toBeUndefined();
  });

  it('configures S3 with defaults from S3_BUCKET alone (SDK default credential chain)', () => {
    expect(load({ S3_BUCKET: 'isos' }).s3).toEqual({
      region: 'us-east-1',
      bucket: 'isos',
      forcePathStyle: false,
    });
  });

  it('reads every S3 variable', () => {
    const config = load({
      S3_BUCKET: 'bootc-isos',
      S3_ENDPOINT: 'http://127.0.0.1:4568/',
      S3_REGION: 'garage',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'secret-example',
      S3_FORCE_PATH_STYLE: 'yes',
      S3_PUBLIC_ENDPOINT: 'https://downloads.example.com',
    });
    expect(config.s3).toEqual({
      endpoint: 'http://127.0.0.1:4568',
      region: 'garage',
      bucket: 'bootc-isos',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-example',
      forcePathStyle: true,
      publicEndpoint: 'https://downloads.example.com',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['YES', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads S3_FORCE_PATH_STYLE=%s as %s', (raw, expected) => {
    expect(load({ S3_BUCKET: 'isos', S3_FORCE_PATH_STYLE: raw }).s3?.forcePathStyle).toBe(expected);
  });

  it('rejects an S3_FORCE_PATH_STYLE that is not a boolean', () => {
    expect(configError({ S3_BUCKET: 'isos', S3_FORCE_PATH_STYLE: 'maybe' })).toBe(
      'S3_FORCE_PATH_STYLE: "maybe" is not a boolean; set true or false (1/0 and yes/no also work)',
    );
  });

  it('rejects an invalid S3_BUCKET, S3_REGION, S3_ENDPOINT and S3_PUBLIC_ENDPOINT in one message', () => {
    const lines = configError({
      S3_BUCKET: 'My_Bucket',
      S3_REGION: 'us east',
      S3_ENDPOINT: 'ftp://files.example.com',
      S3_PUBLIC_ENDPOINT: 'downloads.example.com',
    }).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^S3_ENDPOINT: "ftp:\/\/files.example.com" is not http\(s\); set an http/);
    expect(lines[1]).toMatch(/^S3_REGION: "us east" is not a region name/);
    expect(lines[2]).toMatch(/^S3_BUCKET: "My_Bucket" is not a valid bucket name; use 3-63 lowercase/);
    expect(lines[3]).toMatch(/^S3_PUBLIC_ENDPOINT: "downloads.example.com" is not a valid URL/);
  });

  it('rejects an S3_ENDPOINT with credentials in it, without echoing them', () => {
    const message = configError({ S3_BUCKET: 'isos', S3_ENDPOINT: 'https://key:topsecret@s3.example.com' });
    expect(message).toBe(
      'S3_ENDPOINT: is set but contains credentials; remove them and use S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY',
    );
  });

  it('requires S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together', () => {
    expect(configError({ S3_BUCKET: 'isos', S3_ACCESS_KEY_ID: 'AKIA' })).toBe(
      'S3_SECRET_ACCESS_KEY: is not set but S3_ACCESS_KEY_ID is; set both, or unset both to use the AWS SDK default credential chain',
    );
    expect(configError({ S3_BUCKET: 'isos', S3_SECRET_ACCESS_KEY: 'x' })).toMatch(
      /^S3_ACCESS_KEY_ID: is not set but S3_SECRET_ACCESS_KEY is; set both/,
    );
  });

  it('rejects S3 variables set without S3_BUCKET, since they would be ignored', () => {
    expect(configError({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' })).toBe(
      'S3_BUCKET: is not set, so S3 is off and S3_ENDPOINT, S3_FORCE_PATH_STYLE would be ignored; ' +
        'set S3_BUCKET to use S3, or unset them',
    );
  });

  it('rejects credentials with whitespace, saying only that they are set', () => {
    expect(configError({ S3_BUCKET: 'isos', S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: 'abc\n' })).toBe(
      'S3_SECRET_ACCESS_KEY: is set but contains whitespace (a stray newline?); set it without spaces',
    );
  });
});
