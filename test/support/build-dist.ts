import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './run-process.ts';

/**
 * Vitest global setup of the system tests: compiles the sources into dist/ first, so `bin/bootc-iso.js` and the
 * npm scripts the tests run are the code under test rather than an older build.
 */
export default function buildDist(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
