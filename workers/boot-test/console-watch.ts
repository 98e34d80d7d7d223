import { open } from 'node:fs/promises';

export const TAIL_LINES = 30;
const TAIL_BYTES = 16_384;

/** Follows a growing file; remembers enough of the previous read that a marker split across reads is still found. */
export class ConsoleWatch {
  private offset = 0;
  private carry = '';
  private last = '';

  private readonly path: string;
  /** Without a marker the watch only keeps the tail. */
  private readonly marker: string | undefined;

  constructor(path: string, marker: string | undefined) {
    this.path = path;
    this.marker = marker;
  }

  async seen(): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return false;
    }
    try {
      const buffer = Buffer.alloc(65_536);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) return false;
        this.offset += bytesRead;
        const chunk = buffer.subarray(0, bytesRead).toString('latin1');
        const text = this.carry + chunk;
        this.last = (this.last + chunk).slice(-TAIL_BYTES);
        if (this.marker === undefined) continue;
        if (text.includes(this.marker)) return true;
        this.carry = text.slice(-Math.max(0, this.marker.length - 1));
      }
    } finally {
      await handle.close();
    }
  }

  empty(): boolean {
    return this.offset === 0;
  }

  /** The last lines of the console. */
  tail(): string {
    return this.recent().trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  }

  /** The last 16 KiB of the console, printable text only. */
  recent(): string {
    // Serial consoles end lines with CRLF and may carry escape sequences.
    return this.last.replace(/\r/g, '').replace(/[^\t\n -~]/g, '');
  }
}
