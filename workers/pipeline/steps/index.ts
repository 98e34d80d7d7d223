import type { BuildContext } from '../build-context.ts';
import type { Step } from '../step.ts';
import { bootTest } from './boot-test.ts';
import { checkSource } from './check-source.ts';
import { claimIdentical } from './claim-identical.ts';
import { derive } from './derive.ts';
import { keepFailedLog } from './keep-failed-log.ts';
import { link } from './link.ts';
import { login } from './login.ts';
import { preflight } from './preflight.ts';
import { prepare } from './prepare.ts';
import { pull } from './pull.ts';
import { reuseIdentical } from './reuse-identical.ts';
import { runBuilder } from './run-builder.ts';
import { sign } from './sign.ts';
import { upload } from './upload.ts';
import { writeManifest } from './write-manifest.ts';

/**
 * The build, in order. Adding a step is a file in this directory and one line here; the runner does the rest
 * (plan, progress, timing, limits, clean-up). A boot test belongs after run-builder, signing before upload.
 */
export const BUILD_STEPS: readonly Step<BuildContext>[] = [
  prepare,
  preflight,
  login,
  pull,
  checkSource,
  derive,
  reuseIdentical,
  claimIdentical,
  runBuilder,
  bootTest,
  upload,
  sign,
  link,
  writeManifest,
  keepFailedLog,
];
