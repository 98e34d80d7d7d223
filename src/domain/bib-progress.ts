/**
 * Turns BIB `--progress verbose` output (osbuild's LogMonitor underneath) into coarse progress events. BIB has no
 * machine-readable progress mode, so this reads the few stable markers:
 * "Generating manifest", "Building manifest-…json", "Pipeline <name>: <id>", stage headers "org.osbuild.<stage>: <id>",
 * one "⏱  Duration: Ns" per finished stage, and "Build complete!".
 */
export type BibProgressEvent = {
  stage: 'manifest' | 'building' | 'pipeline' | 'stage' | 'complete';
  message: string;
  percent?: number;
  pipeline?: string;
  osbuildStage?: string;
};

const MANIFEST_PERCENT = 5;
const BUILDING_PERCENT = 10;
const CEILING = 95;
/**
 * Stage count at which the estimate reaches ~63% of the way from 10 to 95. An ISO manifest runs a few dozen stages
 * (build, anaconda-tree, rootfs-image, efiboot-tree, bootiso-tree, bootiso), so the curve is still rising at the end.
 */
const STAGE_SCALE = 25;
const MAX_MESSAGE = 200;
// Markers are short; cutting long lines first keeps every regex linear on hostile output.
const MAX_LINE = 4096;

// ANSI colour codes appear when osbuild thinks it has a terminal; carriage returns come from spinner redraws.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escapes is the point
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing what is left of control characters
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const GENERATING = /^Generating manifest (manifest-[\w.-]+\.json)/;
const BUILDING = /^Building (manifest-[\w.-]+\.json)/;
const PIPELINE = /^(?:starting\s+)?-?\s*Pipeline\s+(?:(source)\s+)?([\w.:-]+?):?(?:\s|$)/;
// Stage headers start at column 0 as "org.osbuild.<name>: <id> {"; indented or quoted mentions are option JSON or logs.
const STAGE = /^(?:Assembler\s+)?(org\.osbuild\.[a-z0-9][\w.-]*?)(?::\s+[0-9a-f]{8,}\b.*|:?\s*\{?\s*)$/;
const DURATION = /^⏱\s*Duration:\s*(\d+(?:\.\d+)?)s/;
const COUNTER = /^\s*\[\s*(\d+)\s*\/\s*(\d+)\s*\]\s*(.*)$/;
const COMPLETE = /^Build complete!?/;

/** Column-0 text without terminal noise; markers are matched on this, not on trimmed text. */
function clean(line: string): string {
  return line.slice(0, MAX_LINE).replace(ANSI, '').replace(/\r/g, '').replace(CONTROL, '').trimEnd();
}

function short(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

export class BibProgressParser {
  #percent = 0;
  #stagesStarted = 0;
  #stagesFinished = 0;
  #pipeline: string | undefined;
  #osbuildStage: string | undefined;
  #complete = false;

  /** Feeds one output line; returns an event for lines that mean progress, null for everything else. Never throws. */
  push(line: string): BibProgressEvent | null {
    try {
      return this.#parse(clean(typeof line === 'string' ? line : String(line)));
    } catch {
      return null;
    }
  }

  /** Monotonic, and capped below 100 until BIB itself says it is done. */
  #raise(candidate: number): number {
    const cap = this.#complete ? 100 : CEILING;
    const next = Math.min(cap, Math.max(this.#percent, Math.floor(candidate)));
    this.#percent = Number.isFinite(next) ? next : this.#percent;
    return this.#percent;
  }

  #stageEstimate(): number {
    // Starts and finishes count as half a stage each, so the bar moves on both.
    const stages = (this.#stagesStarted + this.#stagesFinished) / 2;
    return BUILDING_PERCENT + (CEILING - BUILDING_PERCENT) * (1 - Math.exp(-stages / STAGE_SCALE));
  }

  #parse(line: string): BibProgressEvent | null {
    if (line.trim() === '') return null;
    for (const [pattern, handle] of this.#handlers) {
      const m = pattern.exec(line);
      if (m) return handle(m);
    }
    return null;
  }

  #withContext(event: BibProgressEvent): BibProgressEvent {
    return {
      ...event,
      message: short(event.message),
      ...(this.#pipeline ? { pipeline: this.#pipeline } : {}),
      ...(this.#osbuildStage ? { osbuildStage: this.#osbuildStage } : {}),
    };
  }

  // Order matters: the specific markers first, the loose stage-header pattern last.
  readonly #handlers: [RegExp, (m: RegExpExecArray) => BibProgressEvent | null][] = [
    [
      COMPLETE,
      () => {
        this.#complete = true;
        return { stage: 'complete', message: 'Build complete', percent: this.#raise(100) };
      },
    ],
    [
      GENERATING,
      (m) => ({
        stage: 'manifest',
        message: short(`Generating ${m[1]}`),
        percent: this.#raise(MANIFEST_PERCENT),
      }),
    ],
    [
      BUILDING,
      (m) => ({
        stage: 'building',
        message: short(`Building ${m[1]}`),
        percent: this.#raise(BUILDING_PERCENT),
      }),
    ],
    [
      COUNTER,
      (m) => {
        const done = Number(m[1]);
        const total = Number(m[2]);
        if (!(total > 0) || done > total) return null;
        const text = m[3] ? `: ${m[3]}` : '';
        return {
          stage: 'building',
          message: short(`[${done}/${total}]${text}`),
          percent: this.#raise((100 * done) / total),
        };
      },
    ],
    [
      PIPELINE,
      (m) => {
        const name = m[2] ?? '';
        this.#pipeline = m[1] ? `source ${name}` : name;
        this.#osbuildStage = undefined;
        const message = m[1] ? `Fetching sources (${name})` : `Pipeline ${name}`;
        return this.#withContext({ stage: 'pipeline', message, percent: this.#raise(this.#stageEstimate()) });
      },
    ],
    [
      DURATION,
      (m) => {
        this.#stagesFinished++;
        const message = `${this.#osbuildStage ?? 'stage'} finished in ${m[1]}s`;
        return this.#withContext({ stage: 'stage', message, percent: this.#raise(this.#stageEstimate()) });
      },
    ],
    [
      STAGE,
      (m) => {
        this.#osbuildStage = m[1];
        this.#stagesStarted++;
        const message = `${m[1]}${this.#pipeline ? ` (${this.#pipeline})` : ''}`;
        return this.#withContext({ stage: 'stage', message, percent: this.#raise(this.#stageEstimate()) });
      },
    ],
  ];
}
