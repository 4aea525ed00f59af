/**
 * Which bands of the poster's rows are final. A band is final once every cell that reaches into
 * it has been drawn (or has failed): from then on nothing writes its rows, so the encoder may
 * take them while the rest of the poster is still being drawn. Pure bookkeeping, no pixels.
 */

/** Rows a drawing may write: a cell's box, or the larger area its look (shadow) reaches. */
export interface RowSpan {
  y: number;
  height: number;
}

export class BandTracker {
  readonly bands: number;
  /** Per band: cells not yet done that reach into it. */
  private readonly pending: Int32Array;
  private readonly emitted: Uint8Array;

  /**
   * `spans[i]` is what cell `i` may write; `onFinal(band)` is called once per band, as soon as it
   * is final (bands no cell reaches are final at `start()`).
   */
  constructor(
    readonly height: number,
    readonly bandRows: number,
    private readonly spans: readonly RowSpan[],
    private readonly onFinal: (band: number) => void,
  ) {
    this.bands = Math.max(1, Math.ceil(height / bandRows));
    this.pending = new Int32Array(this.bands);
    this.emitted = new Uint8Array(this.bands);
    for (const span of spans) this.forBands(span, (band) => this.pending[band]!++);
  }

  start(): void {
    for (let band = 0; band < this.bands; band++) if (this.pending[band] === 0) this.emit(band);
  }

  /** Cell `index` will write no more. */
  done(index: number): void {
    this.forBands(this.spans[index]!, (band) => {
      if (--this.pending[band]! === 0) this.emit(band);
    });
  }

  /** Drawing is over: every band not final yet is final now, top to bottom. */
  finishAll(): void {
    for (let band = 0; band < this.bands; band++) this.emit(band);
  }

  private emit(band: number): void {
    if (this.emitted[band]) return;
    this.emitted[band] = 1;
    this.onFinal(band);
  }

  private forBands(span: RowSpan, visit: (band: number) => void): void {
    const top = Math.max(0, span.y);
    const bottom = Math.min(this.height, span.y + span.height);
    if (bottom <= top) return;
    const last = Math.floor((bottom - 1) / this.bandRows);
    for (let band = Math.floor(top / this.bandRows); band <= last; band++) visit(band);
  }
}
