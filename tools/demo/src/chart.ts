/** A small live chart: training loss per step (left axis) and validation top-1 per epoch (right axis, 0–1). */
export class LossChart {
  private losses: number[] = [];
  private accuracy: { step: number; top1: number }[] = [];
  private steps = 1;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.draw();
  }

  reset(steps: number): void {
    this.losses = [];
    this.accuracy = [];
    this.steps = Math.max(1, steps);
    this.draw();
  }

  addLoss(loss: number): void {
    this.losses.push(loss);
    this.draw();
  }

  addAccuracy(top1: number): void {
    this.accuracy.push({ step: this.losses.length, top1 });
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d')!;
    const { width, height } = this.canvas;
    const pad = { l: 44, r: 44, t: 12, b: 26 };
    const w = width - pad.l - pad.r;
    const h = height - pad.t - pad.b;
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    const max = Math.max(0.5, ...this.losses);
    const x = (step: number) => pad.l + (w * step) / this.steps;
    ctx.strokeStyle = '#ccd';
    ctx.strokeRect(pad.l, pad.t, w, h);
    ctx.fillStyle = '#445';
    ctx.textAlign = 'right';
    for (const v of [0, max / 2, max]) ctx.fillText(v.toFixed(2), pad.l - 4, pad.t + h - (h * v) / max + 4);
    ctx.textAlign = 'left';
    for (const v of [0, 0.5, 1]) ctx.fillText(`${v * 100}%`, pad.l + w + 4, pad.t + h - h * v + 4);
    ctx.textAlign = 'center';
    ctx.fillText(`step (of ${this.steps})`, pad.l + w / 2, height - 6);
    ctx.fillStyle = '#2563eb';
    ctx.fillText('loss', pad.l + 20, pad.t + 12);
    ctx.fillStyle = '#dc2626';
    ctx.fillText('val top-1', pad.l + w - 30, pad.t + 12);
    ctx.strokeStyle = '#2563eb';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    this.losses.forEach((l, i) => (i ? ctx.lineTo(x(i + 1), pad.t + h - (h * l) / max) : ctx.moveTo(x(i + 1), pad.t + h - (h * l) / max)));
    ctx.stroke();
    ctx.strokeStyle = '#dc2626';
    ctx.fillStyle = '#dc2626';
    ctx.beginPath();
    this.accuracy.forEach((a, i) => (i ? ctx.lineTo(x(a.step), pad.t + h - h * a.top1) : ctx.moveTo(x(a.step), pad.t + h - h * a.top1)));
    ctx.stroke();
    for (const a of this.accuracy) ctx.fillRect(x(a.step) - 2, pad.t + h - h * a.top1 - 2, 4, 4);
  }
}
