import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseSoakArgs } from './options.ts';
import { writeSoakReport } from './report.ts';
import { runSoak } from './run-soak.ts';

const REPORT = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

const options = parseSoakArgs(process.argv.slice(2), REPORT);
// The code the figures belong to: the commit, marked when the tree had changes on top of it
// (read before the run: files edited while it runs are not what ran).
const git = (args: string[]) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const commit = `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--untracked-files=no']) ? ' + uncommitted changes' : ''}`;
const result = await runSoak(options, (line) => console.log(line));
if (options.reportFile) await writeSoakReport(options.reportFile, result, commit);
console.log(JSON.stringify({ seed: options.seed, figures: result.figures, faults: result.faults.length }));
for (const p of result.problems) console.log(`problem: ${p}`);
console.log(
  result.problems.length === 0 ? 'soak: all checks passed' : `soak: ${result.problems.length} problems`,
);
process.exitCode = result.problems.length === 0 ? 0 : 1;
