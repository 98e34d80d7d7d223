import { type Artifact, type BuildResult, isTrustRole } from '../queue/build-job.ts';
import type { WorkerInfo } from '../queue/worker-registry.ts';
import type { JobView } from './job-view.ts';

/**
 * Plain-text output of the operator commands (jobs, job, workers). Pure, so the layout is unit-tested. Values come
 * from Redis, where any producer could have written them: control characters are replaced, so a crafted job
 * cannot move the cursor or recolour an operator's terminal.
 */

export function clean(value: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  const safe = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** 65_000 → "1m05s"; 3_725_000 → "1h02m". */
export function shortDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d`;
}

export function ago(iso: string | undefined, now: Date): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? '-' : `${shortDuration(Math.max(0, now.getTime() - ms))} ago`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** What a build is doing or how it ended, in a few words. */
export function jobSummary(v: JobView): string {
  if (v.state === 'completed' && v.result) return `${(v.result.iso.size / 1024 ** 2).toFixed(1)} MiB ISO`;
  if (v.state === 'failed' && v.error) return clean(`${v.error.code}: ${v.error.message}`, 80);
  if (v.state === 'active' && v.progress) {
    const pct = v.progress.percent === undefined ? '' : ` ${v.progress.percent}%`;
    return clean(`${v.progress.step}${pct} on ${v.progress.host ?? '?'}`, 80);
  }
  if (v.attemptsMade > 0) return `retry ${v.attemptsMade + 1} of ${v.attempts}`;
  return '';
}

/** `bootc-iso jobs`: one line per build, newest first. */
export function formatJobsTable(views: JobView[], now: Date): string {
  if (views.length === 0) return 'no builds match';
  const rows = views.map((v) => [
    v.buildId,
    v.state,
    v.arch,
    clean(v.source, 60),
    clean(v.requester, 30),
    ago(v.queuedAt, now),
    jobSummary(v),
  ]);
  return table(['BUILD', 'STATE', 'ARCH', 'SOURCE', 'REQUESTER', 'QUEUED', 'DETAIL'], rows);
}

/** `bootc-iso job <id>`: everything known about one build. */
export function formatJobDetails(v: JobView, now: Date): string {
  const lines = [`build ${v.buildId}: ${v.state} (${v.arch})`];
  const add = (label: string, value: string) => lines.push(`  ${`${label}:`.padEnd(11)}${value}`);
  add('source', `${clean(v.source, 1024)}${v.preset ? ` (preset ${clean(v.preset)})` : ''}`);
  add('type', clean(v.type));
  add('builder', `${clean(v.builder)} (${clean(v.builderImage, 1024)})`);
  add('requester', `${clean(v.requester)}${v.requestedAt ? ` at ${clean(v.requestedAt)}` : ''}`);
  add('queued', `${v.queuedAt} (${ago(v.queuedAt, now)})`);
  if (v.startedAt) add('started', v.startedAt);
  if (v.finishedAt) {
    const took = v.startedAt
      ? ` (took ${shortDuration(Date.parse(v.finishedAt) - Date.parse(v.startedAt))})`
      : '';
    add('finished', `${v.finishedAt}${took}`);
  }
  add('attempts', `${v.attemptsMade} of ${v.attempts}`);
  const host = v.result?.workerHost ?? v.progress?.host;
  if (host) add('host', clean(host));
  if (v.progress && v.state !== 'completed' && v.state !== 'failed') {
    const pct = v.progress.percent === undefined ? '' : ` ${v.progress.percent}%`;
    add('progress', clean(`[${v.progress.step}]${pct} ${v.progress.message}`, 300));
  }
  const r = v.result;
  if (r) {
    if (r.reusedFrom) add('reused', `ISO of identical build ${clean(r.reusedFrom)} (no builder ran)`);
    add('download', r.link.url);
    add('expires', `${r.link.expiresAt}${Date.parse(r.link.expiresAt) <= now.getTime() ? ' (expired)' : ''}`);
    for (const a of artifactLines(r)) lines.push(`  ${a}`);
    add('sha256', r.iso.sha256);
    add('size', `${r.iso.size} bytes (${(r.iso.size / 1024 ** 2).toFixed(1)} MiB)`);
    add('source@', `${clean(r.sourceImage, 1024)}@${clean(r.sourceDigest)}`);
    add('builder@', `${clean(r.builderImage, 1024)}@${clean(r.builderDigest)}`);
    add('log', `${r.logKey} (bootc-iso job ${v.buildId} --logs)`);
  }
  if (v.error) {
    add('error', clean(`${v.error.code}: ${v.error.message}`, 1000));
    if (v.error.logTail.length) {
      lines.push('  last builder output:');
      for (const line of v.error.logTail) lines.push(`    ${clean(line, 500)}`);
    }
    lines.push(`  log:       bootc-iso job ${v.buildId} --logs; run it again: bootc-iso retry ${v.buildId}`);
  }
  return lines.join('\n');
}

const gib = (n: number | null) => (n === null ? '?' : n.toFixed(1));

/** `bootc-iso workers`: one line per live worker, then what it runs and the builder images it has. */
export function formatWorkers(workers: WorkerInfo[], now: Date): string {
  if (workers.length === 0) return 'no live build workers (none has sent a heartbeat recently)';
  const rows = workers.map((w) => [
    clean(w.name, 60),
    w.arch,
    `${w.running.length}/${w.concurrency}`,
    `${gib(w.disk.workDirFreeGiB)} / ${gib(w.disk.containerStorageFreeGiB)}`,
    clean(w.podmanVersion ?? '?', 20),
    clean(w.version, 20),
    w.capabilities.length ? w.capabilities.map((c) => clean(c, 40)).join(',') : '-',
    ago(w.startedAt, now).replace(' ago', ''),
    ago(w.updatedAt, now),
  ]);
  const head = [
    'WORKER',
    'ARCH',
    'BUILDS',
    'FREE GIB (work / storage)',
    'PODMAN',
    'VERSION',
    'CAPABILITIES',
    'UP',
    'SEEN',
  ];
  const lines = [table(head, rows)];
  for (const w of workers) {
    const host = w.host !== w.name ? ` on ${clean(w.host, 60)}` : '';
    lines.push(`${clean(w.name, 60)}${host}:${w.draining ? ' draining (stopping once its builds end)' : ''}`);
    lines.push(`  running:  ${w.running.length ? w.running.map((id) => clean(id, 40)).join(', ') : '-'}`);
    lines.push(
      `  builders: ${w.builderImages.length ? w.builderImages.map((i) => clean(i, 300)).join(', ') : '-'}`,
    );
    lines.push(
      `  warm:     ${w.warmImages.length ? w.warmImages.map((i) => clean(i.ref, 300)).join(', ') : '-'}`,
    );
  }
  return lines.join('\n');
}

/**
 * One line per image of a build of several (type, size, sha256, link), then one per checking file (SHA256SUMS, its
 * signature, the provenance) with the key that signed it.
 */
export function artifactLines(r: Pick<BuildResult, 'artifacts'>): string[] {
  const images = (r.artifacts ?? []).filter((a) => a.role === 'image');
  const trust = (r.artifacts ?? []).filter((a) => isTrustRole(a.role));
  const line = (a: Artifact, extra = '') => [
    `  ${clean(a.type)}: ${clean(a.filename, 200)}, ${a.size} bytes, sha256 ${clean(a.sha256)}${extra}`,
    ...(a.url ? [`    ${a.url}`] : []),
  ];
  return [
    ...(images.length < 2 ? [] : ['artifacts:', ...images.flatMap((a) => line(a))]),
    ...(trust.length === 0
      ? []
      : ['checking files:', ...trust.flatMap((a) => line(a, a.keyId ? `, key ${clean(a.keyId)}` : ''))]),
  ];
}
