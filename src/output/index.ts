/** Stage 6, output: encode, metadata, atomic write. */
export type { EncodeOptions } from './encode.js';
export { bandLayout, createPosterEncoder, encodeImage, type PosterBands, type PosterEncoder } from './stream.js';
export { jfifSegment } from './jfif.js';
export { checkOutput, confineOutput, writeAtomic, writeOutput, type OutputPolicy } from './write.js';
