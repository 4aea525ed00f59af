/**
 * Bands reused whole on a rebuild. The cell cache keeps each encoded JPEG band under its pixels
 * (output/stream.ts), but finding it that way means drawing the band first: reading and
 * decompressing every cached cell, painting, mirroring the bleed, hashing ~9 MB a band. For the
 * nightly photo-a-day rebuild that was most of its time, spent to learn that 30 of 32 bands had
 * not changed. A band is also kept under its recipe: the page's settings and each cell whose
 * pixels end up in it (box, caption strip, cell key; cells/key.ts). When every cell of a band is
 * known without decoding (local photos the source index knows, no look), its recipe is looked
 * up before anything is drawn; a cell all of whose bands are found is not drawn at all.
 *
 * Only what a recipe can name takes part: JPEG output (the only banded cache), and photos without
 * a look or caption (their text and fonts are not in a cell key). A calendar's words and numbers
 * are named too (`Decorations`: labels and missed days by band, each photo's day), when they are
 * set in a bundled font (an installed one may change under the same name).
 */
import { isCalendar } from './calendar.js';
import { bandRecipeKey, type CellCache } from './cells/index.js';
import type { Box } from './layout/index.js';
import type { CollageSpec, ImageSpec } from './manifest/index.js';
import type { RowSpan } from './render/bands.js';
import { mirrorSources } from './render/bleed-bands.js';
import { isBundledFamily } from './render/fonts/index.js';
import type { ImageSession } from './images.js';

export interface BandGeometry {
  width: number;
  height: number;
  bandRows: number;
  bands: number;
}

/** Whether a job's bands can be named by recipe at all (see above). */
export function recipesApply(spec: CollageSpec, images: readonly ImageSpec[]): boolean {
  return spec.format === 'jpeg' && (!isCalendar(spec) || isBundledFamily(spec.layout.labels.font)) && images.every((image) => !image.look);
}

/** What a calendar draws besides photos (render/calendar.ts's CalendarPainter), as recipe parts. */
export interface Decorations {
  /** What every band's decorations depend on. */
  recipePage(): unknown;
  /** The decorations reaching into band `band`. */
  recipe(band: number): unknown;
  /** Each cell's day (its day number), by cell. */
  readonly days: readonly number[];
}

/**
 * Per cell, the bands its pixels end up in: those its span reaches, and with a mirror bleed the
 * bands whose bleed rows copy from those. Pure bookkeeping.
 */
export function bandsOfCells(spans: readonly RowSpan[], geometry: BandGeometry, sources: readonly (readonly number[])[]): number[][] {
  const readers: number[][] = Array.from({ length: geometry.bands }, () => []);
  sources.forEach((from, band) => {
    for (const source of from) readers[source]!.push(band);
  });
  return spans.map((span) => {
    const top = Math.max(0, span.y);
    const bottom = Math.min(geometry.height, span.y + span.height);
    const bands = new Set<number>();
    if (bottom > top) {
      for (let band = Math.floor(top / geometry.bandRows); band <= Math.floor((bottom - 1) / geometry.bandRows); band++) {
        bands.add(band);
        for (const reader of readers[band]!) bands.add(reader);
      }
    }
    return [...bands].sort((a, b) => a - b);
  });
}

/**
 * The bands of one build and their recipes. Up front, the recipes of bands whose every cell is
 * known (`prepare`): the bands found, and the cells they make unnecessary. Later, as each band
 * is encoded, its recipe from the cells actually drawn into it (`recipe`), so a cold build keeps
 * its bands under their recipes too and the next rebuild finds them.
 */
export class BandReuse {
  /** Encoded bands found under their recipe before drawing. */
  readonly bytes = new Map<number, Buffer>();
  /** Bands found under their recipe in all: before drawing, or once drawn (`found`). */
  reused = 0;
  /** Per cell: its cell key when every band its pixels end up in was found (it need not be drawn), else null. */
  skip: (string | null)[] = [];
  private readonly bandsOf: number[][];
  private readonly members: number[][];
  /** Per band: the bands its mirror bleed copies from. */
  private readonly sources: number[][];
  private readonly page: unknown[];

  constructor(
    spec: CollageSpec,
    private readonly images: readonly ImageSpec[],
    private readonly boxes: readonly Box[],
    private readonly strips: readonly number[],
    spans: readonly RowSpan[],
    private readonly geometry: BandGeometry,
    private readonly cells: CellCache,
    private readonly session: ImageSession,
    private readonly decorations: Decorations | null = null,
  ) {
    this.sources = mirrorSources(geometry, spec.bleed);
    this.bandsOf = bandsOfCells(spans, geometry, this.sources);
    this.members = Array.from({ length: geometry.bands }, () => []);
    this.bandsOf.forEach((bands, cell) => {
      for (const band of bands) this.members[band]!.push(cell);
    });
    this.page = [spec.format, spec.quality, spec.dpi, geometry.width, geometry.height, spec.background, spec.bleed, spec.cropMarks, decorations?.recipePage() ?? null];
  }

  /** Looks up every band whose cells are all known without decoding, before anything is drawn. */
  async prepare(): Promise<void> {
    const keys = await Promise.all(this.images.map((image, i) => this.session.knownCellKey(image, this.boxes[i]!, this.strips[i])));
    for (let band = 0; band < this.geometry.bands; band++) {
      const recipe = this.recipeFrom(band, (cell) => keys[cell] ?? null);
      const found = recipe === null ? null : this.cells.cells.getBytes(recipe);
      if (found) this.bytes.set(band, found);
    }
    this.reused = this.bytes.size;
    this.skip = this.bandsOf.map((bands, cell) => (bands.length > 0 && bands.every((band) => this.bytes.has(band)) ? keys[cell]! : null));
  }

  found(_band: number): void {
    this.reused++;
  }

  /** The band's recipe from the cells drawn into it, or null when one of them was not drawn from a known cell. */
  recipe(band: number): string | null {
    return this.recipeFrom(band, (cell) => this.session.drawnKeys.get(this.images[cell]!.index) ?? null);
  }

  private recipeFrom(band: number, keyOf: (cell: number) => string | null): string | null {
    const cells: unknown[] = [];
    for (const cell of this.members[band]!) {
      const key = keyOf(cell);
      if (key === null) return null;
      const box = this.boxes[cell]!;
      cells.push([box.x, box.y, box.width, box.height, this.strips[cell] ?? 0, key, this.decorations?.days[cell] ?? null]);
    }
    const from = band * this.geometry.bandRows;
    // A calendar's labels and missed days in the band, and in the rows its bleed mirrors.
    const decorations = this.decorations ? [band, ...this.sources[band]!].map((b) => this.decorations!.recipe(b)) : null;
    return bandRecipeKey(this.page, [from, Math.min(this.geometry.height, from + this.geometry.bandRows)], [cells, decorations]);
  }
}
