/** Longest line kept whole; a longer one is cut and its remainder dropped up to the next newline. */
export const MAX_LINE_CHARS = 16 * 1024;

/**
 * Splits a child's output into lines as it arrives, without ever holding more than one (capped) line: a tool that
 * writes megabytes without a newline costs at most MAX_LINE_CHARS of memory, and its lines reach the log in time.
 */
export class LineSplitter {
  private partial = '';
  private dropping = false;
  private readonly decoder = new TextDecoder();
  private readonly onLine: (line: string) => void;
  private readonly maxChars: number;

  constructor(onLine: (line: string) => void, maxChars = MAX_LINE_CHARS) {
    this.onLine = onLine;
    this.maxChars = maxChars;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.take(text.slice(start, nl));
      this.emit();
      start = nl + 1;
    }
    this.take(text.slice(start));
  }

  /** Emits what is left after the last newline. */
  end(): void {
    this.push(this.decoder.decode());
    if (this.partial !== '' || this.dropping) this.emit();
  }

  private take(piece: string): void {
    if (this.dropping || piece === '') return;
    const room = this.maxChars - this.partial.length;
    if (piece.length <= room) {
      this.partial += piece;
      return;
    }
    this.partial += piece.slice(0, room);
    this.dropping = true;
  }

  private emit(): void {
    const line = this.partial.replace(/\r$/, '');
    this.onLine(this.dropping ? `${line} [line cut at ${this.maxChars} characters]` : line);
    this.partial = '';
    this.dropping = false;
  }
}
