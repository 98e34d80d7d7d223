import { fileURLToPath } from 'node:url';
import { parseSoakArgs } from './options.ts';
import { writeSoakReport } from './report.ts';
import { runSoak } from './run-soak.ts';

const REPORT = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

const options = parseSoakArgs(process.argv.slice(2), REPORT);
const result = await runSoak(options, (line) => console.log(line));
if (options.reportFile) await writeSoakReport(options.reportFile, result);
console.log(JSON.stringify({ seed: options.seed, figures: result.figures, faults: result.faults.length }));
for (const p of result.problems) console.log(`problem: ${p}`);
console.log(
  result.problems.length === 0 ? 'soak: all checks passed' : `soak: ${result.problems.length} problems`,
);
process.exitCode = result.problems.length === 0 ? 0 : 1;
