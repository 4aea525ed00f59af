/**
 * JFIF density for JPEG output: print software reads the JFIF APP0 header for the physical size,
 * so the poster's header (output/jpeg.ts) starts with one saying `dpi`.
 */

/** A JFIF APP0 segment (marker included) saying `dpi` in dots per inch, no thumbnail. */
export function jfifSegment(dpi: number): Buffer {
  const density = Math.max(1, Math.min(65535, Math.round(dpi)));
  const app0 = Buffer.alloc(18);
  app0.writeUInt16BE(0xffe0, 0); // APP0
  app0.writeUInt16BE(16, 2); // segment length
  app0.write('JFIF\0', 4, 'latin1');
  app0.writeUInt8(1, 9); // version 1.02
  app0.writeUInt8(2, 10);
  app0.writeUInt8(1, 11); // units: dots per inch
  app0.writeUInt16BE(density, 12);
  app0.writeUInt16BE(density, 14);
  app0.writeUInt8(0, 16); // no thumbnail
  app0.writeUInt8(0, 17);
  return app0;
}
