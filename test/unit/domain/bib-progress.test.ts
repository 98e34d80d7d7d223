import { describe, expect, it } from 'vitest';
import { type BibProgressEvent, BibProgressParser } from '../../../src/domain/bib-progress.ts';

const ID = '3b0a9f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a';

/** What `--progress verbose` prints for an ISO, after osbuild's LogMonitor format (abridged options and logs). */
const VERBOSE_ISO_LOG = `Generating manifest manifest-iso.json
DONE
Building manifest-iso.json
starting -Pipeline source org.osbuild.containers-storage: 8d3a…
Pipeline build: ${ID}
Build
  root: <host>
  runner: org.osbuild.fedora38 (org.osbuild.fedora38)
org.osbuild.rpm: ${ID} {
  "gpgkeys": [
    "-----BEGIN PGP PUBLIC KEY BLOCK-----"
  ],
  "type": "org.osbuild.containers-storage"
}
Installing 412 packages
   org.osbuild.not-a-header mentioned in a log line

⏱  Duration: 12s
org.osbuild.selinux: ${ID} {
  "file_contexts": "etc/selinux/targeted/contexts/files/file_contexts"
}

⏱  Duration: 3s
Pipeline bootiso: ${ID}
org.osbuild.implantisomd5: ${ID} {
  "filename": "install.iso"
}
Inserting md5sum into iso image...

⏱  Duration: 3s
manifest - finished successfully
Build complete!
Results saved in
.`;

function run(lines: string[], parser = new BibProgressParser()): BibProgressEvent[] {
  return lines.map((l) => parser.push(l)).filter((e): e is BibProgressEvent => e !== null);
}

describe('BibProgressParser', () => {
  it("reads the builder's real timings (two decimals) and its stderr ending (Results saved in .)", () => {
    const events = run([
      'Generating manifest manifest-iso.json',
      'Building manifest-iso.json',
      `Pipeline build: ${ID}`,
      `org.osbuild.rpm: ${ID} {`,
      '⏱  Duration: 1.24s',
      'Build complete!',
      'Results saved in .',
    ]);
    expect(events.find((e) => e.message.includes('finished'))?.message).toBe(
      'org.osbuild.rpm finished in 1.24s',
    );
    expect(events.at(-1)).toEqual({ stage: 'complete', message: 'Build complete', percent: 100 });
  });

  it('turns a verbose ISO build log into manifest, building, pipeline, stage and complete events', () => {
    const events = run(VERBOSE_ISO_LOG.split('\n'));
    expect(events.map((e) => e.stage)).toEqual([
      'manifest',
      'building',
      'pipeline',
      'pipeline',
      'stage',
      'stage',
      'stage',
      'stage',
      'pipeline',
      'stage',
      'stage',
      'complete',
    ]);
    expect(events[0]).toEqual({ stage: 'manifest', message: 'Generating manifest-iso.json', percent: 5 });
    expect(events[1]).toEqual({ stage: 'building', message: 'Building manifest-iso.json', percent: 10 });
    expect(events[2]).toMatchObject({
      pipeline: 'source org.osbuild.containers-storage',
      message: 'Fetching sources (org.osbuild.containers-storage)',
    });
    expect(events[3]).toMatchObject({ stage: 'pipeline', pipeline: 'build', message: 'Pipeline build' });
    expect(events[4]).toMatchObject({ stage: 'stage', pipeline: 'build', osbuildStage: 'org.osbuild.rpm' });
    expect(events[5]).toMatchObject({
      osbuildStage: 'org.osbuild.rpm',
      message: 'org.osbuild.rpm finished in 12s',
    });
    expect(events[9]).toMatchObject({ pipeline: 'bootiso', osbuildStage: 'org.osbuild.implantisomd5' });
    expect(events.at(-1)).toEqual({ stage: 'complete', message: 'Build complete', percent: 100 });
  });

  it('never lets the percentage go down or reach 100 before "Build complete!"', () => {
    const events = run(VERBOSE_ISO_LOG.split('\n'));
    const percents = events.map((e) => e.percent ?? 0);
    for (let i = 1; i < percents.length; i++)
      expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1] ?? 0);
    expect(percents.slice(0, -1).every((p) => p <= 95)).toBe(true);
  });

  it('climbs from 10 toward 95 as stages finish, but stays under 95 for a long build', () => {
    const parser = new BibProgressParser();
    parser.push('Building manifest-iso.json');
    let last = 10;
    for (let i = 0; i < 60; i++) {
      const started = parser.push(`org.osbuild.stage${i}: ${ID} {`);
      const finished = parser.push('⏱  Duration: 1s');
      expect(started?.percent).toBeGreaterThanOrEqual(last);
      last = finished?.percent ?? 0;
    }
    expect(last).toBeGreaterThan(80);
    expect(last).toBeLessThanOrEqual(95);
    for (let i = 0; i < 10_000; i++) parser.push('⏱  Duration: 1s');
    expect(parser.push('⏱  Duration: 1s')?.percent).toBe(95);
  });

  it('uses "[n / m]" counters directly when BIB prints them', () => {
    const parser = new BibProgressParser();
    expect(parser.push('[1 / 4] Manifest generation step')).toMatchObject({ stage: 'building', percent: 25 });
    expect(parser.push('  [3 / 4] Disk image building step')?.percent).toBe(75);
    expect(parser.push('[4 / 4] done')?.percent).toBe(95);
    expect(parser.push('[1 / 4] nested counter')?.percent).toBe(95);
    expect(parser.push('[5 / 4] impossible')).toBeNull();
    expect(parser.push('[0 / 0] empty')).toBeNull();
  });

  it('strips terminal colour codes and carriage returns before matching', () => {
    const parser = new BibProgressParser();
    expect(parser.push(`\u001b[1mPipeline build: ${ID}\u001b[0m\r`)).toMatchObject({ pipeline: 'build' });
    expect(parser.push(`\u001b[1morg.osbuild.rpm: ${ID}\u001b[0m {`)).toMatchObject({
      osbuildStage: 'org.osbuild.rpm',
    });
  });

  it('ignores option JSON, indented mentions of stages and unknown lines', () => {
    const parser = new BibProgressParser();
    for (const line of [
      '  "type": "org.osbuild.containers-storage"',
      '   org.osbuild.rpm: x',
      'DONE',
      '',
      'Results saved in',
    ]) {
      expect(parser.push(line)).toBeNull();
    }
  });

  it('keeps messages short and free of control characters', () => {
    const parser = new BibProgressParser();
    const event = parser.push(`Pipeline ${'x'.repeat(5000)}`);
    expect(event?.message.length).toBeLessThanOrEqual(200);
    const hostile = parser.push('Generating manifest manifest-iso.json\u0007\u202e');
    expect(hostile?.message).toBe('Generating manifest-iso.json');
  });

  it('never throws, whatever it is fed', () => {
    const parser = new BibProgressParser();
    const alphabet = [
      '[',
      ']',
      '/',
      ' ',
      '1',
      '9',
      '⏱',
      'Duration:',
      'Pipeline',
      'org.osbuild.',
      '\u001b[',
      '\u001b]',
      '\r',
      '\u0000',
      '\ud800',
      ':',
      'Build complete!',
      'Generating manifest ',
      'manifest-x.json',
      's',
      '{',
      '\n',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 2000; i++) {
      const line = Array.from(
        { length: Math.floor(random() * 30) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      expect(() => parser.push(line)).not.toThrow();
    }
    expect(() => parser.push('\u001b]'.repeat(100_000))).not.toThrow();
    expect(() => parser.push(undefined as unknown as string)).not.toThrow();
    expect(() => parser.push(12 as unknown as string)).not.toThrow();
  });
});
