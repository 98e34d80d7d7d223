import { z } from 'zod';
import type { DiskCustomization, DiskPartition } from './build-request.ts';
import { AppError } from './errors.ts';
import { quoteForMessage } from './text-rules.ts';

/**
 * `[customizations.disk]` as the builder reads it from config.toml (snake_case keys, sizes as bytes or as text such
 * as "10 GiB"), and its translation to and from the request's shape. Unknown keys are refused, as the builder's own
 * partition decoding does.
 */

/** Bytes, or text the builder reads as a size: "10 GiB", "512 MiB", "2 GB", "1048576". */
export const BlueprintSize = z.union([z.number(), z.string()]);
const BlueprintLogicalVolume = z.strictObject({
  name: z.string().optional(),
  minsize: BlueprintSize,
  mountpoint: z.string(),
  fs_type: z.string(),
});
const BlueprintSubvolume = z.strictObject({ name: z.string(), mountpoint: z.string() });
const BlueprintPartition = z.strictObject({
  type: z.string().optional(),
  minsize: BlueprintSize,
  mountpoint: z.string().optional(),
  fs_type: z.string().optional(),
  name: z.string().optional(),
  logical_volumes: z.array(BlueprintLogicalVolume).optional(),
  subvolumes: z.array(BlueprintSubvolume).optional(),
});
export const BlueprintDisk = z.strictObject({
  type: z.string().optional(),
  minsize: BlueprintSize.optional(),
  partitions: z.array(BlueprintPartition).optional(),
});
export type BlueprintDisk = z.infer<typeof BlueprintDisk>;

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  kB: 1e3,
  KiB: 1024,
  MB: 1e6,
  MiB: 1024 ** 2,
  GB: 1e9,
  GiB: 1024 ** 3,
  TB: 1e12,
  TiB: 1024 ** 4,
};

/** A size from config.toml in bytes; the units the builder's size parser knows. */
export function parseBlueprintSize(value: number | string, field: string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(value);
  const unit = m?.[2] ?? '';
  if (!m || !Object.hasOwn(UNITS, unit))
    throw new AppError(
      'INVALID_REQUEST',
      `config.toml: ${field} ${quoteForMessage(value, 40)} is not a size; write bytes or e.g. "10 GiB" (units kB, KiB, MB, MiB, GB, GiB, TB, TiB)`,
      { field },
    );
  return Number(m[1]) * (UNITS[unit] ?? 1);
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function toBlueprintPartition(p: DiskPartition): NonNullable<BlueprintDisk['partitions']>[number] {
  if (p.type === 'plain')
    return { type: p.type, minsize: p.minSize, mountpoint: p.mountpoint, fs_type: p.fsType };
  if (p.type === 'lvm')
    return defined({
      type: p.type,
      minsize: p.minSize,
      name: p.name,
      logical_volumes: p.logicalVolumes.map((lv) =>
        defined({ name: lv.name, minsize: lv.minSize, mountpoint: lv.mountpoint, fs_type: lv.fsType }),
      ),
    });
  return { type: p.type, minsize: p.minSize, subvolumes: p.subvolumes.map((s) => ({ ...s })) };
}

export function toBlueprintDisk(d: DiskCustomization): BlueprintDisk {
  return defined({
    type: d.type,
    minsize: d.minSize,
    partitions: d.partitions.length > 0 ? d.partitions.map(toBlueprintPartition) : undefined,
  });
}

/**
 * The request's shape of a config file's disk section, every given key carried over so that the request's strict
 * schema refuses what does not belong to the partition's type (a plain partition with subvolumes, say).
 */
export function fromBlueprintDisk(d: BlueprintDisk): unknown {
  const field = 'customizations.disk';
  return defined({
    type: d.type,
    minSize: d.minsize === undefined ? undefined : parseBlueprintSize(d.minsize, `${field}.minsize`),
    partitions: d.partitions?.map((p, i) => {
      const at = `${field}.partitions[${i}]`;
      return defined({
        // The builder's default partition type.
        type: p.type ?? 'plain',
        minSize: parseBlueprintSize(p.minsize, `${at}.minsize`),
        mountpoint: p.mountpoint,
        fsType: p.fs_type,
        name: p.name,
        logicalVolumes: p.logical_volumes?.map((lv, j) =>
          defined({
            name: lv.name,
            minSize: parseBlueprintSize(lv.minsize, `${at}.logical_volumes[${j}].minsize`),
            mountpoint: lv.mountpoint,
            fsType: lv.fs_type,
          }),
        ),
        subvolumes: p.subvolumes,
      });
    }),
  });
}
