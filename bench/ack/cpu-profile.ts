// Where a process spent its CPU in a V8 .cpuprofile (node --cpu-prof): each sample is put in the category of the
// nearest frame on its stack that belongs to a package or to the project (a JSON.stringify called by the Web API
// client counts as the Web API client), so the bot and the bare Bolt app can be compared part by part.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const CPU_CATEGORIES = [
  'start-up (loading and compiling modules)',
  'bolt (receiver, signature, routing)',
  'web-api client (views.open, chat.*)',
  'project code (handlers, views, queue)',
  'redis / bullmq',
  'logging',
  'other packages',
  'node (http, streams, timers)',
  'gc',
  'native / unattributed',
] as const;
export type CpuCategory = (typeof CPU_CATEGORIES)[number];

const PACKAGES: [RegExp, CpuCategory][] = [
  [/node_modules\/@slack\/(bolt|oauth|socket-mode)\//, 'bolt (receiver, signature, routing)'],
  [
    /node_modules\/(@slack\/web-api|axios|form-data|follow-redirects|proxy-from-env|combined-stream|p-queue|p-retry)\//,
    'web-api client (views.open, chat.*)',
  ],
  [/node_modules\/(ioredis|bullmq|@ioredis|redis-parser|cluster-key-slot)\//, 'redis / bullmq'],
  [/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\//, 'logging'],
  [/node_modules\//, 'other packages'],
];

const LOADER = /node_modules\/(tsx|esbuild)\/|^node:internal\/modules\//;

function categoryOf(url: string, functionName: string): CpuCategory | undefined {
  if (functionName === '(garbage collector)') return 'gc';
  if (url === '') return undefined;
  for (const [pattern, category] of PACKAGES) if (pattern.test(url)) return category;
  if (/\/(src|workers)\//.test(url) && !url.includes('node_modules'))
    return 'project code (handlers, views, queue)';
  return undefined;
}

/** Milliseconds of CPU per category; idle time is left out. */
export function summarizeProfile(profile: CpuProfile): Record<CpuCategory, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Start-up is not per-request work: anything under the module loader (tsx compiling TypeScript included).
  const loading = new Map<number, boolean>();
  const underLoader = (id: number): boolean => {
    const known = loading.get(id);
    if (known !== undefined) return known;
    const url = byId.get(id)?.callFrame.url ?? '';
    const up = parent.get(id);
    const result = LOADER.test(url) || (up !== undefined && underLoader(up));
    loading.set(id, result);
    return result;
  };
  const decided = new Map<number, CpuCategory | 'idle'>();
  const decide = (id: number): CpuCategory | 'idle' => {
    const known = decided.get(id);
    if (known) return known;
    const node = byId.get(id);
    let result: CpuCategory | 'idle';
    if (!node) result = 'native / unattributed';
    else if (node.callFrame.functionName === '(idle)') result = 'idle';
    else if (node.callFrame.functionName === '(program)') result = 'native / unattributed';
    else if (underLoader(id)) result = 'start-up (loading and compiling modules)';
    else {
      const own = categoryOf(node.callFrame.url, node.callFrame.functionName);
      const up = parent.get(id);
      if (own) result = own;
      else if (up !== undefined && byId.get(up)?.callFrame.functionName !== '(root)') {
        const above = decide(up);
        result =
          above === 'native / unattributed' && node.callFrame.url.startsWith('node:')
            ? 'node (http, streams, timers)'
            : above;
      } else
        result = node.callFrame.url.startsWith('node:')
          ? 'node (http, streams, timers)'
          : 'native / unattributed';
    }
    decided.set(id, result);
    return result;
  };
  const totals = Object.fromEntries(CPU_CATEGORIES.map((c) => [c, 0])) as Record<CpuCategory, number>;
  profile.samples.forEach((id, i) => {
    const category = decide(id);
    if (category !== 'idle') totals[category] += (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return totals;
}

/** Every .cpuprofile in `dir`, added up. */
export async function summarizeProfileDir(dir: string): Promise<Record<CpuCategory, number>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile'));
  const totals = Object.fromEntries(CPU_CATEGORIES.map((c) => [c, 0])) as Record<CpuCategory, number>;
  for (const file of files) {
    const one = summarizeProfile(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile);
    for (const c of CPU_CATEGORIES) totals[c] += one[c];
  }
  return totals;
}
