import { type Child, collectLines, type LineCollector, startTsx } from '../../test/support/run-process.ts';

/** One supervised child process (a worker or the bot) that faults may kill, freeze and restart. */
export interface Member {
  name: string;
  child: Child;
  out: LineCollector;
  /** Every line of every incarnation, kept across restarts for the final counts. */
  history: string[];
  frozen: boolean;
}

export interface Fleet {
  workers: Member[];
  bot: Member;
  start(member: Member): Promise<void>;
  /** SIGKILL, then start again once it is gone (the same name and environment, as a rebooted host). */
  killAndRestart(member: Member, downMs: number): Promise<void>;
  freeze(member: Member, ms: number): Promise<void>;
  stopAll(): Promise<void>;
}

const READY = /(worker|bot) ready/;

/** Builds the fleet description; nothing is started until `start`. */
export function createFleet(
  workerEnvs: Record<string, string>[],
  botEnv: Record<string, string>,
  logLine: (name: string, line: string) => void,
): Fleet {
  const envs = new Map<string, { entry: string; env: Record<string, string> }>();
  const member = (name: string, entry: string, env: Record<string, string>): Member => {
    envs.set(name, { entry, env });
    return {
      name,
      child: undefined as unknown as Child,
      out: { lines: [], waitFor: async () => '' },
      history: [],
      frozen: false,
    };
  };
  const workers = workerEnvs.map((env, i) => member(env.WORKER_NAME ?? `soak-${i}`, 'workers/main.ts', env));
  const bot = member('bot', 'src/bin/bot.ts', botEnv);
  let stopping = false;

  const start = async (m: Member) => {
    const spec = envs.get(m.name);
    if (!spec) throw new Error(`soak: unknown member ${m.name}`);
    m.child = startTsx(spec.entry, spec.env);
    m.out = collectLines(m.child);
    m.child.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        m.history.push(line);
        logLine(m.name, line);
      }
    });
    await m.out.waitFor(READY, 120_000);
  };

  return {
    workers,
    bot,
    start,
    async killAndRestart(m, downMs) {
      m.child.kill('SIGKILL');
      await m.child.catch(() => undefined);
      m.frozen = false;
      await new Promise((r) => setTimeout(r, downMs));
      if (!stopping) await start(m);
    },
    async freeze(m, ms) {
      m.child.kill('SIGSTOP');
      m.frozen = true;
      await new Promise((r) => setTimeout(r, ms));
      m.child.kill('SIGCONT');
      m.frozen = false;
    },
    async stopAll() {
      stopping = true;
      const all = [...workers, bot].filter((m) => m.child !== undefined);
      for (const m of all) {
        m.child.kill('SIGCONT');
        m.child.kill('SIGTERM');
      }
      await Promise.all(all.map((m) => m.child.catch(() => undefined)));
    },
  };
}
