/**
 * PDF output: one page, MediaBox = trim + bleed, TrimBox and BleedBox set, the poster embedded
 * once, losslessly, filling the page.
 *
 * The image is our own PNG's compressed data passed through untouched: PNG's IDAT stream is a
 * zlib stream of filtered rows, which is exactly what a PDF FlateDecode filter with a PNG
 * predictor (/Predictor 15) reads, so nothing is decoded, re-compressed or re-sampled. Colour is
 * ICCBased with the sRGB profile, also named as the document's output intent. pdf-lib writes the
 * file structure; no dates or random IDs, so the bytes are deterministic.
 */
import { type PDFArray, type PDFDict, PDFDocument, PDFName, PDFString, concatTransformationMatrix, drawObject, popGraphicsState, pushGraphicsState } from 'pdf-lib';

export interface PdfPage {
  /** Whole page (trim + 2 × bleed), px. */
  width: number;
  height: number;
  dpi: number;
  /** Bleed on each side, px. */
  bleed: number;
  /** sRGB ICC profile bytes. */
  icc: Buffer;
}

/** px → PDF points (1/72 in) at `dpi`. */
export function toPoints(px: number, dpi: number): number {
  return (px * 72) / dpi;
}

/** 8-bit RGB, non-interlaced PNG → its concatenated IDAT data. */
function pngImageData(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR' && (data[8] !== 8 || data[9] !== 2 || data[12] !== 0)) throw new Error('PDF embedding needs an 8-bit RGB, non-interlaced PNG');
    if (type === 'IDAT') parts.push(data);
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return Buffer.concat(parts);
}

export async function encodePdf(png: Buffer, page: PdfPage): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const context = doc.context;

  const icc = context.register(context.flateStream(page.icc, { N: 3 }));
  const image = context.register(
    context.stream(pngImageData(png), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: page.width,
      Height: page.height,
      BitsPerComponent: 8,
      ColorSpace: context.obj([PDFName.of('ICCBased'), icc]),
      Filter: 'FlateDecode',
      DecodeParms: { Predictor: 15, Colors: 3, BitsPerComponent: 8, Columns: page.width },
    }),
  );

  const width = toPoints(page.width, page.dpi);
  const height = toPoints(page.height, page.dpi);
  const bleed = toPoints(page.bleed, page.dpi);
  const pdfPage = doc.addPage([width, height]);
  pdfPage.setBleedBox(0, 0, width, height);
  pdfPage.setTrimBox(bleed, bleed, width - 2 * bleed, height - 2 * bleed);
  const name = pdfPage.node.newXObject('Im', image);
  pdfPage.pushOperators(pushGraphicsState(), concatTransformationMatrix(width, 0, 0, height, 0, 0), drawObject(name), popGraphicsState());

  const intent = context.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    DestOutputProfile: icc,
  }) as PDFDict;
  doc.catalog.set(PDFName.of('OutputIntents'), context.obj([intent]) as PDFArray);

  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
