import { type ImageFamily, type ImageType, imageTypeSpec } from './image-types.ts';

/** One run of the builder: the types it makes in one go, all of one family. */
export interface BuilderRun {
  /** 1-based position among this build's runs; names the run's output directory and config file. */
  index: number;
  family: ImageFamily;
  types: ImageType[];
}

/** Every type a request asks for, in the order asked, each once (`type` alone when no list is given). */
export function requestedTypes(request: {
  type: ImageType;
  types?: readonly ImageType[] | undefined;
}): ImageType[] {
  return [...new Set(request.types && request.types.length > 0 ? request.types : [request.type])];
}

/**
 * The builder runs that make `types`. The builder refuses to mix ISO and disk types in one request, and every ISO
 * type writes the same `bootiso/install.iso`: so all disk types share one run, and each ISO type gets one of its
 * own. Runs keep the order of the types asked for (the first type's run goes first).
 */
export function planRuns(types: readonly ImageType[]): BuilderRun[] {
  const runs: BuilderRun[] = [];
  let disk: BuilderRun | undefined;
  for (const type of new Set(types)) {
    const family = imageTypeSpec(type).family;
    if (family === 'disk' && disk) {
      disk.types.push(type);
      continue;
    }
    const run: BuilderRun = { index: runs.length + 1, family, types: [type] };
    runs.push(run);
    if (family === 'disk') disk = run;
  }
  return runs;
}

export function hasFamily(types: readonly ImageType[], family: ImageFamily): boolean {
  return types.some((t) => imageTypeSpec(t).family === family);
}
