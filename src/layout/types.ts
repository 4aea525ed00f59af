/** Integer device-pixel rectangle. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A rectangle in source-image pixels (may be fractional). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A layout the caller cannot render (too many images for the grid, cells under a pixel…). */
export class LayoutError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'LayoutError';
    this.path = path;
  }
}
