import { formatImageRef, parseImageRef } from './image-ref.ts';
import { quoteForMessage } from './text-rules.ts';

/**
 * Rules for the Containerfile of a derived image. The worker builds it with podman on the build host, so it must
 * stay within what that host can allow: it starts from the request's own source (the image whose registry and
 * digest were checked), pulls in no other image, and reaches nothing of the host's. `podman build` runs without
 * volumes, unprivileged, with the network the operator chose; these rules close what the Containerfile itself
 * could open.
 */

/** Instructions a derived image may use; anything else (unknown or new syntax) is refused rather than guessed. */
const ALLOWED = new Set([
  'FROM',
  'RUN',
  'ENV',
  'LABEL',
  'ARG',
  'COPY',
  'ADD',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'CMD',
  'ENTRYPOINT',
  'SHELL',
  'STOPSIGNAL',
]);

/** A package name as dnf takes it: no spaces, no option-looking names, no shell characters. */
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}$/;

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Logical instructions: comments and blank lines dropped, backslash continuations joined. */
export function instructionsOf(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  for (const [i, raw] of text.replace(/\r\n?/g, '\n').split('\n').entries()) {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (pending && trimmed.startsWith('#')) continue;
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { line: pending.line, text: `${pending.text} ${part}` } : { line: i + 1, text: part };
    if (continued) continue;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    out.push({ line: pending.line, keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = undefined;
  }
  if (pending) {
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    out.push({ line: pending.line, keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}

function sameImage(a: string, b: string): boolean {
  try {
    return (
      formatImageRef(parseImageRef(a, { requireTag: false })) ===
      formatImageRef(parseImageRef(b, { requireTag: false }))
    );
  } catch {
    return false;
  }
}

/** Every problem with `text` as the Containerfile of a derived image of `source`, each naming its line. */
export function containerfileProblems(text: string, source: string): string[] {
  const problems: string[] = [];
  const at = (i: Instruction, message: string) => problems.push(`Containerfile line ${i.line}: ${message}`);
  const instructions = instructionsOf(text);
  const [first] = instructions;
  if (!first) return ['Containerfile: it is empty; start with FROM and the source image'];
  if (first.keyword !== 'FROM')
    at(first, `the first instruction must be FROM ${source}, not ${first.keyword}`);
  let froms = 0;
  for (const i of instructions) {
    if (!ALLOWED.has(i.keyword)) {
      at(i, `${quoteForMessage(i.keyword, 40)} is not allowed in a derived image`);
      continue;
    }
    const flags = i.args.match(/(^|\s)--[a-z-]+(=\S*)?/g)?.map((f) => f.trim()) ?? [];
    if (i.keyword === 'FROM') {
      froms += 1;
      if (froms > 1) at(i, 'only one FROM: a derived image is built from the source image alone');
      if (flags.length > 0) at(i, `FROM takes no options here (${flags.join(' ')})`);
      const ref = i.args.split(/\s+/).find((w) => !w.startsWith('--')) ?? '';
      if (froms === 1 && !sameImage(ref, source))
        at(i, `FROM must be the source image ${source}, not ${quoteForMessage(ref, 120)}`);
    }
    if (i.keyword === 'RUN' && flags.some((f) => /^--(mount|network|security|device)/.test(f)))
      at(i, 'RUN may not mount, choose its network or change its security (--mount, --network, --security)');
    if (i.keyword === 'COPY' || i.keyword === 'ADD') {
      if (flags.some((f) => f.startsWith('--from')))
        at(i, `${i.keyword} --from would bring in another image; only the source image is allowed`);
      if (/(^|\s)(https?|git|ssh):\/\/|(^|\s)git@/.test(i.args))
        at(
          i,
          `${i.keyword} of a URL is not allowed: download in a RUN step, where the build's network rules apply`,
        );
    }
  }
  return problems;
}

/** Package names that are not plain package names, for the message. */
export function badPackages(packages: readonly string[]): string[] {
  return packages.filter((p) => !PACKAGE.test(p));
}

/** The Containerfile a preset's package list stands for: one `dnf install` on top of the source. */
export function packagesContainerfile(source: string, packages: readonly string[]): string {
  const bad = badPackages(packages);
  if (bad.length > 0) throw new Error(`not package names: ${bad.join(', ')}`);
  return `FROM ${source}\nRUN dnf install -y ${packages.join(' ')} && dnf clean all\n`;
}
