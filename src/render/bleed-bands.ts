/**
 * The bleed, finished band by band as the poster is drawn, so bleed costs no more memory than
 * the rest of the poster (it used to wait for the whole poster: 36×24 in with a 1.5 in mirror
 * bleed held all of it, ~590 MB instead of ~300 MB).
 *
 * A band of rows is handed on to the encoder once it is final. Without bleed that is when every
 * cell reaching into it is drawn (BandTracker). With bleed, each band also needs:
 * 1. `mirror`: its trim rows' left and right bleed (their own pixels reflected);
 * 2. `mirror`: its rows above or below the trim box copied from the trim rows they mirror, which
 *    may lie in other bands (after step 1 there, so corners are mirrored both ways);
 * 3. crop marks on its rows, after every band copying from it has done so (marks on the trim
 *    lines' continuations reach a pixel or two into the first and last trim rows' bleed columns,
 *    which the copies must see unmarked).
 * Each step does to a band's rows exactly what the whole-poster pass did (mirror columns, then
 * rows, then marks), so the output is the same, byte for byte.
 */
import { drawCropMarks, mirrorColumns, mirrorRows, mirrorSourceRow, type BleedSpec, type PosterRows } from './bleed.js';

export interface BandedRows extends PosterRows {
  bandRows: number;
  bands: number;
}

export class BleedBands {
  /** Per band: the bands its bleed rows copy from (`mirror`), and those that copy from it. */
  private readonly sources: number[][];
  private readonly readers: number[][];
  private readonly drawn: Uint8Array;
  private readonly filled: Uint8Array;
  private readonly emitted: Uint8Array;
  private readonly mirror: boolean;

  /**
   * `onFinal(band)` once per band, when its bleed is finished too. `reused(band)`: the band's
   * encoded bytes are known already (build.ts's band reuse): its pixels are not finished unless
   * a band being drawn copies from them.
   */
  constructor(
    private readonly poster: BandedRows,
    private readonly bleed: BleedSpec,
    private readonly cropMarks: boolean,
    private readonly dpi: number,
    private readonly onFinal: (band: number) => void,
    private readonly reused: (band: number) => boolean = () => false,
  ) {
    const { bands } = poster;
    this.mirror = bleed.size > 0 && bleed.mode === 'mirror';
    this.sources = Array.from({ length: bands }, () => []);
    this.readers = Array.from({ length: bands }, () => []);
    this.drawn = new Uint8Array(bands);
    this.filled = new Uint8Array(bands);
    this.emitted = new Uint8Array(bands);
    if (this.mirror) {
      this.sources = mirrorSources(poster, bleed);
      this.sources.forEach((sources, band) => {
        for (const source of sources) this.readers[source]!.push(band);
      });
    }
  }

  /** Every cell reaching into `band` is drawn: nothing else writes its rows. */
  done(band: number): void {
    if (this.drawn[band]) return;
    this.drawn[band] = 1;
    if (this.mirror && this.needed(band)) {
      const { from, to } = this.rows(band);
      mirrorColumns(this.poster, this.bleed.size, from, to);
    }
    this.fill(band);
    for (const reader of this.readers[band]!) this.fill(reader);
  }

  /** Step 2, once the band and every band it copies from are drawn (and their columns mirrored). */
  private fill(band: number): void {
    if (this.filled[band] || !this.drawn[band] || !this.sources[band]!.every((source) => this.drawn[source])) return;
    if (this.mirror && this.needed(band)) {
      const { from, to } = this.rows(band);
      mirrorRows(this.poster, this.bleed.size, from, to);
    }
    this.filled[band] = 1;
    this.seal(band);
    for (const source of this.sources[band]!) this.seal(source);
  }

  /** Step 3, once every band copying from this one has: crop marks, then on to the encoder. */
  private seal(band: number): void {
    if (this.emitted[band] || !this.filled[band] || !this.readers[band]!.every((reader) => this.filled[reader])) return;
    this.emitted[band] = 1;
    if (this.cropMarks && this.bleed.size > 0 && this.needed(band)) drawCropMarks(this.poster, this.bleed.size, this.dpi, this.rows(band));
    this.onFinal(band);
  }

  /** Whether the band's pixels are read: it is encoded now, or a band encoded now copies from it. */
  needed(band: number): boolean {
    return !this.reused(band) || this.readers[band]!.some((reader) => !this.reused(reader));
  }

  private rows(band: number): { from: number; to: number } {
    const from = band * this.poster.bandRows;
    return { from, to: Math.min(this.poster.height, from + this.poster.bandRows) };
  }
}

/** Per band: the bands its top or bottom bleed rows copy from (`mirror`; none otherwise). */
export function mirrorSources(poster: { height: number; bandRows: number; bands: number }, bleed: BleedSpec): number[][] {
  const sources: number[][] = Array.from({ length: poster.bands }, () => []);
  if (bleed.size <= 0 || bleed.mode !== 'mirror') return sources;
  for (let band = 0; band < poster.bands; band++) {
    const from = band * poster.bandRows;
    const to = Math.min(poster.height, from + poster.bandRows);
    const seen = new Set<number>();
    for (let y = from; y < to; y++) {
      const source = mirrorSourceRow(poster.height, bleed.size, y);
      if (source !== null) seen.add(Math.floor(source / poster.bandRows));
    }
    sources[band]!.push(...seen);
  }
  return sources;
}

/** The bleed of a poster drawn whole (the proof): every band at once. */
export function finishBleed(poster: BandedRows, bleed: BleedSpec, cropMarks: boolean, dpi: number): void {
  const bands = new BleedBands(poster, bleed, cropMarks, dpi, () => {});
  for (let band = 0; band < poster.bands; band++) bands.done(band);
}

/**
 * The rows a cell may write, with bleed `extend`: a cell on the trim box's top or bottom edge
 * continues into the bleed above or below it (render/bleed.ts's extendPlacement).
 */
export function withBleedReach(span: { y: number; height: number }, posterHeight: number, bleed: BleedSpec): { y: number; height: number } {
  if (bleed.size <= 0 || bleed.mode !== 'extend') return span;
  const top = span.y <= bleed.size ? 0 : span.y;
  const bottom = span.y + span.height >= posterHeight - bleed.size ? posterHeight : span.y + span.height;
  return { y: top, height: bottom - top };
}
