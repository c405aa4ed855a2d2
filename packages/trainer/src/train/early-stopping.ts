/**
 * Ultralytics' EarlyStopping: stop after `patience` epochs without a better fitness (0 = never). Epochs count
 * from 1 here, as results.csv does.
 */
export class EarlyStopping {
  private readonly patience: number;

  constructor(
    patience: number,
    public bestFitness = 0,
    public bestEpoch = 0,
  ) {
    this.patience = patience > 0 ? patience : Infinity;
  }

  /** Records epoch `epoch`'s fitness; true when training should stop. NaN (not validated) never improves. */
  update(epoch: number, fitness: number): boolean {
    // Ultralytics also takes the first epochs while fitness is still 0.
    if (fitness > this.bestFitness || (this.bestFitness === 0 && !Number.isNaN(fitness))) {
      this.bestFitness = fitness;
      this.bestEpoch = epoch;
    }
    return epoch - this.bestEpoch >= this.patience;
  }

  /** Ultralytics' message when it stops. */
  message(): string {
    return (
      `EarlyStopping: Training stopped early as no improvement observed in last ${this.patience} epochs. ` +
      `Best results observed at epoch ${this.bestEpoch}, best model saved as weights/best. ` +
      `To update EarlyStopping(patience=${this.patience}) pass a new patience value, i.e. \`patience=300\` or use \`patience=0\` to disable EarlyStopping.`
    );
  }
}
