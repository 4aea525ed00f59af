/*
 * Writes the CMYK/YCCK JPEG fixtures in test/fixtures/ with libjpeg, choosing exactly what
 * sharp cannot: whether there is an Adobe APP14 marker, its colour transform, and whether the
 * stored CMYK values are inverted. Built and run by scripts/make-cmyk-fixtures.sh.
 *
 * Every fixture is 32×32: top half ink TOP, bottom half ink BOTTOM (C, M, Y, K in 0..255 ink,
 * 255 = solid), split on an 8-px block edge so the halves do not bleed into each other.
 *
 *   cmyk-plain.jpg  Adobe-less CMYK, stored as ink (0 = no ink), the way Adobe-less writers
 *                   (and libjpeg's own default without the marker) store it.
 *   cmyk-adobe.jpg  CMYK with APP14 "Adobe" transform 0, stored inverted (255 = no ink): what
 *                   Photoshop and sharp write. The same inks as the others, for comparison.
 *   ycck-adobe.jpg  YCCK: APP14 "Adobe" with transform 2, stored inverted (255 = no ink), as
 *                   Photoshop writes; libjpeg turns inverted CMYK into YCCK when compressing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static const JSAMPLE TOP[4] = {26, 179, 204, 13};    /* C 10 %, M 70 %, Y 80 %, K 5 %: orange-red */
static const JSAMPLE BOTTOM[4] = {204, 77, 26, 26};  /* C 80 %, M 30 %, Y 10 %, K 10 %: blue */

static void write_fixture(const char *path, J_COLOR_SPACE space, boolean adobe, boolean inverted) {
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  FILE *out = fopen(path, "wb");
  if (!out) { perror(path); exit(1); }
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, out);
  cinfo.image_width = 32;
  cinfo.image_height = 32;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_colorspace(&cinfo, space);
  jpeg_set_quality(&cinfo, 100, TRUE);
  for (int c = 0; c < cinfo.num_components; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  cinfo.write_JFIF_header = FALSE;
  cinfo.write_Adobe_marker = adobe; /* libjpeg writes transform 0 for CMYK, 2 for YCCK */
  jpeg_start_compress(&cinfo, TRUE);
  JSAMPLE row[32 * 4];
  while (cinfo.next_scanline < cinfo.image_height) {
    const JSAMPLE *ink = cinfo.next_scanline < 16 ? TOP : BOTTOM;
    for (int x = 0; x < 32; x++)
      for (int c = 0; c < 4; c++) row[x * 4 + c] = inverted ? 255 - ink[c] : ink[c];
    JSAMPROW rows[1] = {row};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  fclose(out);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: %s <fixtures dir>\n", argv[0]); return 2; }
  char path[4096];
  snprintf(path, sizeof path, "%s/cmyk-plain.jpg", argv[1]);
  write_fixture(path, JCS_CMYK, FALSE, FALSE);
  snprintf(path, sizeof path, "%s/cmyk-adobe.jpg", argv[1]);
  write_fixture(path, JCS_CMYK, TRUE, TRUE);
  snprintf(path, sizeof path, "%s/ycck-adobe.jpg", argv[1]);
  write_fixture(path, JCS_YCCK, TRUE, TRUE);
  return 0;
}
