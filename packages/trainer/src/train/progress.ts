/**
 * The in-epoch progress line, redrawn in place on a terminal (`  2/10  0.1234  120/469  1510 img/s  ETA 0:23`),
 * silent otherwise so logs and CI output keep one line per epoch.
 */
export class EpochProgress {
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly label: string,
    private readonly totalBatches: number,
    private readonly stream: NodeJS.WriteStream | undefined = process.stdout.isTTY ? process.stdout : undefined,
  ) {}

  update(batch: number, images: number, meanLoss: number): void {
    if (!this.stream) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && batch < this.totalBatches) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const eta = (seconds / batch) * (this.totalBatches - batch);
    const clock = `${Math.floor(eta / 60)}:${String(Math.round(eta % 60)).padStart(2, '0')}`;
    this.stream.write(`\r${this.label.padStart(11)}${meanLoss.toFixed(4).padStart(11)}  ${batch}/${this.totalBatches}  ${Math.round(images / seconds)} img/s  ETA ${clock}\x1b[K`);
  }

  /** Clears the line so the epoch summary takes its place. */
  done(): void {
    this.stream?.write('\r\x1b[K');
  }
}
