/** Capture time from EXIF (for order "date"), read from the EXIF block sharp's header read returns. */
import exifReader from 'exif-reader';

/**
 * DateTimeOriginal, else DateTimeDigitized, else IFD0 DateTime, as milliseconds of the wall-clock
 * time written (time-zone offsets are ignored: photos compare by the time their camera showed).
 * Null when there is none or the block is unreadable.
 */
export function captureTime(exif: Buffer | undefined): number | null {
  if (!exif || exif.length === 0) return null;
  try {
    const tags = exifReader(exif);
    const date = tags.Photo?.DateTimeOriginal ?? tags.Photo?.DateTimeDigitized ?? tags.Image?.DateTime;
    const time = date instanceof Date ? date.getTime() : NaN;
    return Number.isFinite(time) ? time : null;
  } catch {
    return null;
  }
}
