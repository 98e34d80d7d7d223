import { defineConfig } from 'vitest/config';

// Projects: "unit" is pure and fast (no Redis, podman or network); "property" is pure too, with generated input;
// "system" uses the real testbed (Redis, s3rver, docker-registry, podman) and runs serially because it shares one
// podman storage; it includes the 3-minute soak (test/soak).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        // Property-based tests (fast-check, 1,000+ generated cases per entry point): pure, no services.
        test: {
          name: 'property',
          include: ['test/property/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'system',
          // The e2e tests run bin/bootc-iso.js and npm scripts, which use the compiled dist/.
          globalSetup: ['test/support/build-dist.ts'],
          // The 3-minute soak runs here too, one file after another with the rest: it starts its own test bed and
          // fleet, and would steal the 2 cores from (and share podman storage with) any test running beside it.
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/soak/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
