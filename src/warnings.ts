/**
 * Warnings: something the user should know about a job that still wrote its output. One shape
 * for every kind, so the command line prints them all the same way (one line each on stderr)
 * and the `--json` report lists them under `warnings`.
 */
export interface BuildWarning {
  /**
   * What kind: `missing-glyphs` (caption characters no font draws, left out), `unitless-size` (a
   * page size without a unit, both sides under 300 px: read as pixels), `mirror-bleed-margin` (a mirror
   * bleed mirrors the margin too: a background stripe across each fold of a wrap).
   */
  kind: string;
  /** One line for people, naming what and where. */
  message: string;
  /** The photo it concerns, as written in the manifest. */
  src?: string;
  /** `missing-glyphs`: the characters left out, as U+ codes. */
  characters?: string[];
}
