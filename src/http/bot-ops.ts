import type { CustomRoute } from '@slack/bolt';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { OpsSettings } from '../config/ops-env.ts';
import { createAdminDashboardRoutes } from './admin-dashboard.ts';
import { createProcessRegistry, registerFleetMetrics } from './metrics.ts';
import { createOpsRoutes, type ProbeCheck } from './ops-routes.ts';

export interface BotOps {
  /** /metrics, /readyz and (with ADMIN_USER/ADMIN_PASSWORD) /admin/queues, for the Bolt app's customRoutes. */
  routes: CustomRoute[];
  registry: Registry;
  /** /readyz stays 503 until the Slack app has started. */
  markStarted(): void;
}

/**
 * The bot's monitoring surface on its own port: process and fleet metrics (queue depth, live workers), a
 * readiness probe (Redis answers and the app has started) and the optional queue dashboard.
 */
export function createBotOps(opts: { ops: OpsSettings; redis: Redis; queues: Queue[] }): BotOps {
  let started = false;
  const registry = createProcessRegistry('bot');
  registerFleetMetrics(registry, { queues: opts.queues, redis: opts.redis });
  const ready: ProbeCheck = async () => {
    const redis = await pingWithin(opts.redis, 1000);
    return { ok: started && redis === 'ready', detail: { redis, slack: started ? 'started' : 'starting' } };
  };
  const admin = opts.ops.admin;
  return {
    routes: [
      ...createOpsRoutes({
        registry,
        ready,
        ...(opts.ops.metricsToken ? { token: opts.ops.metricsToken } : {}),
      }),
      ...(admin ? createAdminDashboardRoutes(opts.queues, admin) : []),
    ],
    registry,
    markStarted() {
      started = true;
    },
  };
}

/** 'ready' when Redis answers PING within `ms`, else the connection's status (or 'no answer'). */
export async function pingWithin(redis: Redis, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('no answer'), ms);
  });
  try {
    return await Promise.race([
      redis.ping().then(
        () => 'ready',
        () => (redis.status === 'ready' ? 'error' : redis.status),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
