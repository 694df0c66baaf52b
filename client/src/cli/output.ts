import cliProgress from 'cli-progress';

/** Prints for people, or one JSON document (or JSON line, for `sync`) per result with --json. */
export class Output {
  constructor(readonly json: boolean) {}

  result(value: unknown, human: () => string): void {
    process.stdout.write(this.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }

  event(name: string, fields: Record<string, unknown>, human: string): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ event: name, at: new Date().toISOString(), ...fields })}\n`);
    else process.stdout.write(`${new Date().toLocaleTimeString()} ${human}\n`);
  }

  error(err: Error, code: string): void {
    if (this.json) process.stdout.write(`${JSON.stringify({ error: { code, message: err.message } })}\n`);
    process.stderr.write(`pocketcloud: ${err.message}\n`);
  }

  /** A progress bar on stderr for a long transfer (a no-op with --json or when stderr is not a terminal). */
  bar(label: string, total: number): { add(n: number): void; stop(): void } {
    if (this.json || !process.stderr.isTTY || total < 1024 * 1024) return { add: () => undefined, stop: () => undefined };
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} MiB | {eta}s`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const mib = (n: number): number => Math.round((n / 1048576) * 10) / 10;
    let done = 0;
    bar.start(mib(total), 0);
    return {
      add: (n) => {
        done += n;
        bar.update(mib(done));
      },
      stop: () => bar.stop(),
    };
  }
}

export function fmtSize(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)}G`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)}M`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)}K`;
  return `${n}B`;
}
