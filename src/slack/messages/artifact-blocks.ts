import type { types } from '@slack/bolt';
import { type BuildResult, isTrustRole, type TrustRole } from '../../queue/build-job.ts';
import { ACTIONS } from '../action-ids.ts';
import { inlineCode, mrkdwn } from '../escape.ts';
import { type Blocks, button, humanSize, section, usableUrl } from './format.ts';

/** Images listed one section each; more would crowd the message (the CLI lists them all). */
export const MAX_LISTED_IMAGES = 10;

/**
 * One section per image of a build of several: type, file name, size and sha256, with its own download button
 * while the links are fresh. Each button sits in its own block, so they share the download action id (which Slack
 * wants unique within a block only) and its listener.
 */
export function artifactBlocks(result: BuildResult, linksFresh: boolean): Blocks {
  const images = (result.artifacts ?? []).filter((a) => a.role === 'image');
  if (images.length < 2) return [];
  const blocks: Blocks = images.slice(0, MAX_LISTED_IMAGES).map((a): types.SectionBlock => {
    const block = section(
      `*${mrkdwn(a.type, 40)}* ${inlineCode(a.filename, 200)} · ${humanSize(a.size)}\nSHA-256 ${inlineCode(a.sha256, 100)}`,
    );
    if (linksFresh && usableUrl(a.url)) {
      block.accessory = button(ACTIONS.download, `Download ${a.type}`.slice(0, 75), { url: a.url });
    }
    return block;
  });
  if (images.length > MAX_LISTED_IMAGES)
    blocks.push(
      section(`…and ${images.length - MAX_LISTED_IMAGES} more: \`bootc-iso job ${result.buildId}\``),
    );
  return blocks;
}

const TRUST_LABEL: Record<TrustRole, string> = {
  checksums: 'Checksums',
  'checksums-signature': 'Signature',
  provenance: 'Provenance',
};

/**
 * One context line for the files that let a user check the download: "Checksums · Signature · Provenance", each a
 * link while the links are fresh, and the key that signed them. One element per file keeps every link whole.
 */
export function checkingFilesBlocks(result: BuildResult, linksFresh: boolean): Blocks {
  const files = (result.artifacts ?? []).filter((a) => isTrustRole(a.role));
  if (files.length === 0) return [];
  const elements = files.map((a, i) => {
    const label = TRUST_LABEL[a.role as TrustRole];
    const sep = i < files.length - 1 ? ' ·' : '';
    const text = linksFresh && usableUrl(a.url, 2900) ? `<${a.url}|${label}>${sep}` : `${label}${sep}`;
    return { type: 'mrkdwn' as const, text };
  });
  const keyId = files.find((a) => a.keyId)?.keyId;
  if (keyId) elements.push({ type: 'mrkdwn', text: `signed by key ${inlineCode(keyId, 100)}` });
  return [{ type: 'context', elements }];
}

/** What the build made, for the lead line: "ISO", "qcow2 image", "3 images". */
export function madeWhat(result: BuildResult): string {
  const images = (result.artifacts ?? []).filter((a) => a.role === 'image');
  if (images.length > 1) return `${images.length} images are`;
  const type = images[0]?.type ?? 'iso';
  return type === 'iso' || type === 'anaconda-iso' || type === 'bootc-installer'
    ? 'ISO is'
    : `${type} image is`;
}
