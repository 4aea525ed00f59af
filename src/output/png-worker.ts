/** Worker thread (tinypool): filters and deflates one PNG band of a poster in shared memory per task (see png.ts). */
import { Tinypool } from 'tinypool';
import { encodePngBand } from './png.js';

interface BandTask {
  shared: SharedArrayBuffer;
  offset: number;
  length: number;
  width: number;
  rows: number;
  last: boolean;
}

/** Filtered rows of one band, reused for every band this worker takes (fresh memory costs page faults). */
let scratch = new Uint8Array(0);

export default function encodeBand({ shared, offset, length, width, rows, last }: BandTask) {
  const needed = rows * (width * 3 + 1);
  if (scratch.length < needed) scratch = new Uint8Array(needed);
  const band = encodePngBand(new Uint8Array(shared, offset, length), width, rows, last, scratch);
  // Sent back by transfer, so the bytes need an ArrayBuffer of their own: a small result can be
  // a view into Node's shared Buffer pool, which must never be transferred (Node 24 refuses it).
  const deflated = band.deflated;
  const own = deflated.byteOffset === 0 && deflated.byteLength === deflated.buffer.byteLength && deflated.byteLength > 4096 ? deflated : new Uint8Array(deflated);
  const result = { deflated: own, adler: band.adler, length: band.length };
  // tinypool moves only a top-level transferable: wrap the whole result, naming the buffer to transfer.
  return Tinypool.move({ [Tinypool.transferableSymbol]: [own.buffer], [Tinypool.valueSymbol]: result } as never);
}
