import { createWriteStream, type WriteStream } from 'node:fs';

/**
 * The attempt's build.log: what the requester downloads. Each step writes the commands it runs (secrets replaced)
 * and their output, so a build that fails at login or pull still has a log that shows podman's answer.
 * Writes go through one stream in order; flush() waits for everything written so far to reach the file.
 */
export class BuildLog {
  private readonly stream: WriteStream;
  private readonly secrets = new Set<string>();
  private closed = false;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    // A failed write must not crash the worker: the build goes on, and the log is only less complete.
    this.stream.on('error', () => undefined);
  }

  /** A value that must never appear in the log (a registry password read from a file, say). */
  addSecret(value: string): void {
    if (value.length >= 4) this.secrets.add(value);
  }

  line(text: string): void {
    if (this.closed) return;
    this.stream.write(`${this.redact(text)}\n`);
  }

  /** A command as it ran: one argument list, quoted where it needs it. */
  command(argv: string[]): void {
    this.line(`$ ${argv.map(quoteArg).join(' ')}`);
  }

  output(text: string): void {
    for (const l of text.split('\n')) if (l !== '') this.line(l);
  }

  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.stream.write('', () => resolve()));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }

  private redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.replaceAll(s, '***');
    return out;
  }
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
