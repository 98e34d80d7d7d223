import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { signSlackRequest } from '../../test/support/slack-requests.ts';

export interface LoadRequest {
  body: string;
  /** Called just before the request is sent (after any preparation), with Date.now(). */
  onSend?: (at: number) => void;
}

export interface LoadResult {
  /** Milliseconds from writing the request to the end of the response, one per completed request. */
  latencies: number[];
  statuses: Record<string, number>;
  /** Responses whose body `check` refused, with the first few bodies. */
  badBodies: number;
  samples: string[];
  errors: number;
  wallMs: number;
}

/** Keep-alive connections for `concurrency` requests in flight. */
export function loadAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

/**
 * A small bounded load generator: exactly `total` signed POSTs to `url` with at most `concurrency` in flight over
 * keep-alive connections (as many as the concurrency), each with a 10 s timeout. `prepare(i)` builds request i before
 * its clock starts (it may be async, e.g. to fetch a trigger id).
 */
export async function runLoad(opts: {
  url: string;
  secret: string;
  total: number;
  concurrency: number;
  prepare: (i: number) => Promise<LoadRequest> | LoadRequest;
  check?: (status: number, body: string) => boolean;
  /** Open loop: request i is sent at start + i / rate (never more than `concurrency` in flight). */
  rate?: number;
  /** Keep-alive connections to reuse (from loadAgent), e.g. those a warm-up opened; the caller destroys it. */
  agent?: Agent;
}): Promise<LoadResult> {
  const target = new URL(opts.url);
  const agent = opts.agent ?? loadAgent(opts.concurrency);
  const result: LoadResult = { latencies: [], statuses: {}, badBodies: 0, samples: [], errors: 0, wallMs: 0 };
  let next = 0;
  const one = (req: LoadRequest): Promise<void> =>
    new Promise((resolve) => {
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(req.body),
        ...signSlackRequest(opts.secret, req.body),
      };
      const start = performance.now();
      req.onSend?.(Date.now());
      const r = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            result.latencies.push(performance.now() - start);
            const status = String(res.statusCode ?? 0);
            result.statuses[status] = (result.statuses[status] ?? 0) + 1;
            const body = Buffer.concat(chunks).toString('utf8');
            if (opts.check && !opts.check(res.statusCode ?? 0, body)) {
              result.badBodies += 1;
              if (result.samples.length < 3) result.samples.push(`${status} ${body.slice(0, 300)}`);
            }
            resolve();
          });
          res.on('error', () => {
            result.errors += 1;
            resolve();
          });
        },
      );
      r.setTimeout(10_000, () => r.destroy(new Error('timeout')));
      r.on('error', (error) => {
        result.errors += 1;
        if (result.samples.length < 3) result.samples.push(`error ${error.message}`);
        resolve();
      });
      r.end(req.body);
    });
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.total) {
        const i = next++;
        const req = await opts.prepare(i);
        if (opts.rate) {
          const due = startedAt + (i * 1000) / opts.rate - performance.now();
          if (due > 0) await sleep(due);
        }
        await one(req);
      }
    }),
  );
  result.wallMs = performance.now() - startedAt;
  if (!opts.agent) agent.destroy();
  return result;
}
