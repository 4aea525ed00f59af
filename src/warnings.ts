/**
 * Warnings: something the user should know about a job that still wrote its output. One shape
 * for every kind, so the command line prints them all the same way (one line each on stderr)
 * and the `--json` report lists them under `warnings`.
 */
export interface BuildWarning {
  /** What kind: `missing-glyphs` (caption characters no font draws, left out). */
  kind: string;
  /** One line for people, naming what and where. */
  message: string;
  /** The photo it concerns, as written in the manifest. */
  src?: string;
  /** `missing-glyphs`: the characters left out, as U+ codes. */
  characters?: string[];
}
