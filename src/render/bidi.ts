/**
 * A caption's base direction, as Unicode's bidi algorithm finds a paragraph's (rules P2–P3):
 * from its first strong character. Right to left when that is Hebrew, Arabic or another
 * right-to-left script, so "שלום!" ends with "!" on the left and a cut line's "…" is on the left.
 */
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Mende_Kikakui}\p{Script=Yezidi}\u200F\u061C]/u;
const STRONG = /[\p{L}\u200E\u200F\u061C]/u;
/** Enough to find the first letter of any real caption; past it a caption is taken as left to right. */
const SCAN = 4096;

export function baseDirection(text: string): 'ltr' | 'rtl' {
  const head = text.length > SCAN ? text.slice(0, SCAN) : text;
  for (const char of head) {
    if (!STRONG.test(char)) continue;
    return RIGHT_TO_LEFT.test(char) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}
