import { defineConfig } from 'vitest/config';

// Two projects: "unit" is pure and fast (no Redis, podman or network); "system" uses the real testbed
// (Redis, s3rver, docker-registry, podman) and runs serially because it shares one podman storage.
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
        test: {
          name: 'system',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
