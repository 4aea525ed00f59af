/** Stage 6, output: encode, metadata, atomic write. */
export { checkOutput, writeOutput, type OutputPolicy } from './write.js';
