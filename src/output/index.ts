/** Stage 6, output: encode, metadata, atomic write. */
export { encodeImage, type EncodeOptions } from './encode.js';
export { setJfifDensity } from './jfif.js';
export { checkOutputWritable, writeOutput } from './write.js';
