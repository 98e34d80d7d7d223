import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AttemptPaths, BuildContext } from '../build-context.ts';
import { BuildLog } from '../build-log.ts';
import type { Step } from '../step.ts';

export type PrepareContext = Pick<BuildContext, 'buildId' | 'attempt' | 'logger'> & {
  settings: { workerName: string; worker: { workDir: string } };
  state: Pick<BuildContext['state'], 'paths' | 'log'>;
};

/** A fresh, private directory for the attempt, and the build log, which starts by saying which attempt it is. */
export const prepare: Step<PrepareContext> = {
  name: 'prepare',
  shows: 'preflight',
  describe: (ctx) => `preparing build host ${ctx.settings.workerName}`,
  async run(ctx, scope) {
    const root = join(ctx.settings.worker.workDir, ctx.buildId, `attempt-${ctx.attempt}`);
    await rm(root, { recursive: true, force: true });
    const paths: AttemptPaths = {
      root,
      authFile: join(root, 'auth.json'),
      outputDir: join(root, 'output'),
      configToml: join(root, 'config.toml'),
      buildLog: join(root, 'build.log'),
    };
    scope.defer('remove the work directory', async () => {
      await rm(root, { recursive: true, force: true }).catch((error: unknown) => {
        ctx.logger.warn({ error: String(error), dir: root }, 'could not remove work directory');
      });
      await rmdir(dirname(root)).catch(() => undefined);
    });
    await mkdir(paths.outputDir, { recursive: true, mode: 0o700 });
    // podman refuses an --authfile that does not exist; start empty and private.
    await writeFile(paths.authFile, '{}', { mode: 0o600 });
    const log = new BuildLog(paths.buildLog);
    scope.defer('close the build log', () => log.close());
    log.line(
      `# build ${ctx.buildId}, attempt ${ctx.attempt}, on build host ${ctx.settings.workerName}, started ${new Date().toISOString()}`,
    );
    ctx.state.paths = paths;
    ctx.state.log = log;
  },
};
