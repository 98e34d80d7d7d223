import type { BuildRequestInput } from '../../../src/domain/build-request.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { BuildPolicy } from '../../../src/domain/validate-build-request.ts';

/** Named, reusable inputs for the domain tests: real-looking values and the hostile ones we must refuse. */

export const SHA512_HASH =
  '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1';
export const SHA256_HASH = '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA';
export const YESCRYPT_HASH = '$y$j9T$7ztO0V6pUm8.Ot0VtVd1q/$zJm1xv1ZjFzC2CXE0pW9aF1rKMHqBbC3k7Rz8T.ipGD';
export const BCRYPT_HASH = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
export const MD5_HASH = '$1$salt$ez2vlPGdaLYkJam5pWs/Y1';

export const ED25519_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICd33AHqke2BGICnHimBxRLmiKqu3f3Np5Ir8DhmvVeG alice@example';
export const ECDSA_KEY =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKbP+4gM4+CUaFFGsZjwZVGkZPDRuaD39ugijzMCIgY0y77lFrTVdYFsrTPEQLKISS3bSS4CbeFg16oB9sQt8fI= e';
export const RSA_KEY =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCdn3bKicurLR+0kZ8gkmDKUvcZDd5V5EhKf/GW/2rkGrS59n/7h4Sptku0WReI1iTcqJAF38euF4ruEq1jK2qfcEQdLGWl14V0uU/I3Bk2Vx7Ze1t5uLRcBNz3CvnT5B/WVTxOSPI3fpzwHMo0pL2V/ZDSzIHJdDZBDiGqwE83+HGG1Y7tt0LtfkmSnzaOtT6G8SWfYh91eWcLlOki2i9p+sGXRp9gQ0O50rG3ISK7cor92/ej04R8KlSl0aJq2Gzcsr8xlBZikVwoaN4TaUEWWVNx1KeDmzLhhCgDL2xmK/t490qRcTIlASjOs5jbZCKpk3JTEpf3Z3e7DdaFgnaV r';
export const PRIVATE_KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';

export const SHA256_DIGEST = `sha256:${'a'.repeat(64)}`;

/** Inputs that try to become something other than an image reference. */
export const HOSTILE_REFS = {
  optionPrivileged: '--privileged',
  optionVolume: '-v/:/host',
  shellSemicolon: 'quay.io/org/image:tag;rm -rf /',
  shellSubstitution: 'quay.io/org/$(id):tag',
  shellBackticks: 'quay.io/org/`id`:tag',
  newline: 'quay.io/org/image:tag\n--privileged',
  nul: 'quay.io/org/image\u0000:tag',
  fullwidthColon: 'quay.io/org/image\uff1atag',
  cyrillicHost: 'qu\u0430y.io/org/image:tag',
  bidiOverride: 'quay.io/org/\u202eimage:tag',
} as const;

/** Strings that would end a TOML string or open a new table if they were ever concatenated into config.toml. */
export const TOML_BREAKOUTS = [
  '"""\n[customizations.disk]\nminsize = "1 TiB"\n"""',
  "'''\n[[customizations.user]]\nname = \"root\"",
  'a"b\\"c\\\\',
  ']]\n[customizations]\nfips = true',
  '\\u0041 \\n not an escape',
  '# comment\n\t\ttabbed',
  'emoji 🚀 and accents é ü ß and CJK 漢字',
  'trailing backslash \\',
] as const;

export const policy: BuildPolicy = {
  allowedRegistries: ['quay.io', 'registry.example.com:5000', 'Registry.Internal.Example'],
  builders: {
    centos: {
      image: 'quay.io/centos-bootc/bootc-image-builder:latest',
      features: ['iso-customizations', 'bootc-installer'],
    },
    pinned: { image: `quay.io/centos-bootc/bootc-image-builder@${SHA256_DIGEST}` },
    /** A builder that declares nothing: the baseline of every shipped bootc-image-builder. */
    legacy: { image: 'quay.io/centos-bootc/bootc-image-builder:9.7' },
    /** An operator's newer builder that keeps yescrypt hashes. */
    newer: { image: 'quay.io/centos-bootc/bootc-image-builder:next', features: ['yescrypt'] },
  },
};

/** A valid request; override any part to make one invalid. */
export function buildInput(overrides: Partial<BuildRequestInput> = {}): BuildRequestInput {
  return {
    source: 'quay.io/centos-bootc/centos-bootc:stream9',
    builder: { name: 'centos', image: 'quay.io/centos-bootc/bootc-image-builder:latest' },
    type: 'anaconda-iso',
    arch: 'x86_64',
    requester: { kind: 'slack', userId: 'U024BE7LH', channelId: 'C024BE91L', teamId: 'T024BE7LD' },
    requestedAt: '2026-01-31T12:00:00Z',
    ...overrides,
  };
}

/** Runs fn and returns the AppError it throws; fails the test if it throws nothing or something else. */
export function appErrorFrom(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw new Error(`expected an AppError, got ${String(error)}`);
  }
  throw new Error('expected an AppError, but nothing was thrown');
}
