/** What we read from EXIF: capture time (for order "date") and orientation. */
import exifReader from 'exif-reader';

export interface ExifFacts {
  /**
   * DateTimeOriginal, else DateTimeDigitized, else IFD0 DateTime, as milliseconds of the
   * wall-clock time written (time-zone offsets are ignored: photos compare by the time their
   * camera showed). Null when there is none.
   */
  taken: number | null;
  /** IFD0 Orientation 1..8 (1 when absent or out of range). */
  orientation: number;
}

/** Facts from an EXIF block ("Exif\0\0" + TIFF, as in APP1); an unreadable block says nothing. */
export function readExif(exif: Buffer | undefined): ExifFacts {
  if (!exif || exif.length === 0) return { taken: null, orientation: 1 };
  try {
    const tags = exifReader(exif);
    const date = tags.Photo?.DateTimeOriginal ?? tags.Photo?.DateTimeDigitized ?? tags.Image?.DateTime;
    const time = date instanceof Date ? date.getTime() : NaN;
    const orientation = Number(tags.Image?.Orientation);
    return { taken: Number.isFinite(time) ? time : null, orientation: Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : 1 };
  } catch {
    return { taken: null, orientation: 1 };
  }
}
