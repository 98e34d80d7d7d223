import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK } from '../../bench/soak/options.ts';
import { runSoak } from '../../bench/soak/run-soak.ts';

// The soak's CI version: the same runner and checks for about 3 minutes. SIGSTOP stays under the lock duration
// (6 s against 20 s), so a frozen worker keeps its build: a worker woken after losing its lock is the longer
// soak's to find. Every other fault kind runs as in the long soak.
describe('soak (short)', () => {
  it('ends every build once, with matching objects, no orphans and bounded Redis, under random faults', async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    // Printed first, so that a failed run can be replayed (same fault schedule and submissions) with
    // `npm run soak -- --builds 16 --minutes 3 --stop-max-seconds 6 --fault-every-seconds 14 --no-report --seed <seed>`.
    console.log(`soak short: seed ${seed}`);
    const result = await runSoak(
      {
        ...DEFAULT_SOAK,
        builds: 16,
        minutes: 3,
        seed,
        stopMaxSeconds: 6,
        faultEverySeconds: 14,
        label: 'test/soak/soak-short.test.ts',
      },
      (line) => console.log(line),
    );
    console.log(
      `soak short: seed ${seed}, ${JSON.stringify(result.figures)}, ${result.faults.length} faults`,
    );
    for (const reason of result.failedReasons) console.log(`soak short: failed build ${reason}`);
    expect(result.problems).toEqual([]);
    expect(result.figures.builds).toBeGreaterThanOrEqual(16);
    expect(result.figures.lost).toBe(0);
    expect(result.faults.length).toBeGreaterThanOrEqual(6);
  }, 900_000);
});
