// The bench's "identical" section: builds waiting for an identical build, woken at the release (today) against the
// design before it (each waiter looks every 2 s; still selectable in the code, so measured in the same run).
import { type RedisHandle, type S3Handle, startRedis, startS3 } from '../../test/testbed/index.ts';
import { type IdenticalWaitFigures, measureIdenticalWait } from './identical-wait.ts';

export interface IdenticalWaitResult {
  waiters: number;
  windowMs: number;
  rounds: { woken: IdenticalWaitFigures; polled: IdenticalWaitFigures }[];
}

export async function runIdenticalWaitBench(opts: {
  dir: string;
  rounds: number;
  waiters: number;
  windowMs: number;
  log: (line: string) => void;
}): Promise<IdenticalWaitResult> {
  let redis: RedisHandle | undefined;
  let s3: S3Handle | undefined;
  try {
    [redis, s3] = await Promise.all([startRedis(), startS3()]);
    const setup = { redisUrl: redis.url, s3, dir: opts.dir, waiters: opts.waiters, windowMs: opts.windowMs };
    const rounds: IdenticalWaitResult['rounds'] = [];
    for (let i = 1; i <= opts.rounds; i++) {
      // Alternating order, so neither design always runs on a Redis warmed by the other.
      const first = i % 2 === 1 ? 'polled' : 'woken';
      const a = await measureIdenticalWait(setup, first === 'woken', `${first}-${i}`);
      const second = first === 'woken' ? 'polled' : 'woken';
      const b = await measureIdenticalWait(setup, second === 'woken', `${second}-${i}`);
      const round = first === 'woken' ? { woken: a, polled: b } : { woken: b, polled: a };
      rounds.push(round);
      opts.log(
        `identical: round ${i}: woken ${round.woken.commands.toFixed(2)} commands, ${round.woken.events.toFixed(2)} events, ` +
          `answered in ${round.woken.answeredMs} ms; looking every 2 s ${round.polled.commands.toFixed(2)} commands, ` +
          `${round.polled.events.toFixed(2)} events, answered in ${round.polled.answeredMs} ms`,
      );
    }
    return { waiters: opts.waiters, windowMs: opts.windowMs, rounds };
  } finally {
    await Promise.all([redis?.stop(), s3?.stop()]);
  }
}
