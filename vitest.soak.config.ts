import { defineConfig } from 'vitest/config';

// The 3-minute soak alone (`npm run soak:short`): the same runner and checks as `npm run soak`. `npm test` runs it
// too, in the "system" project of vitest.config.ts.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
