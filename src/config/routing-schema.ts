import { z } from 'zod';
import { wholeNumber } from './schema-values.ts';

/** Where the bot and the CLI send builds among the live hosts of an architecture (src/queue/host-preference.ts). */
export const RoutingObject = z.strictObject({
  /** Prefer a host that already holds the build's source image (its heartbeat says so) and has a free slot. */
  preferWarmHosts: z.boolean().default(true),
  /** Longest a build waits for the preferred host before any host of its queue takes it. */
  preferSeconds: wholeNumber(1, 120).default(10),
});
