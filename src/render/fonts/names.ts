/** A face's family name, from its `name` table: what a caption's "font" may call it. */
import { Reader } from './sfnt.js';

const TYPOGRAPHIC_FAMILY = 16;
const FAMILY = 1;
const ENGLISH_US = 0x409;

/** The typographic family (name 16), else the family (name 1); English first; null when absent. */
export function familyName(table: Uint8Array): string | null {
  const reader = new Reader(table);
  const count = reader.u16(2);
  const strings = reader.u16(4);
  let best: { score: number; text: string } | null = null;
  for (let i = 0; i < count; i++) {
    const record = 6 + i * 12;
    const platform = reader.u16(record);
    const encoding = reader.u16(record + 2);
    const language = reader.u16(record + 4);
    const nameId = reader.u16(record + 6);
    if (nameId !== TYPOGRAPHIC_FAMILY && nameId !== FAMILY) continue;
    const utf16 = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    const macRoman = platform === 1 && encoding === 0;
    if (!utf16 && !macRoman) continue;
    const bytes = reader.slice(strings + reader.u16(record + 10), reader.u16(record + 8));
    const text = (utf16 ? utf16be(bytes) : Buffer.from(bytes).toString('latin1')).trim();
    if (!text) continue;
    const score = (nameId === TYPOGRAPHIC_FAMILY ? 4 : 0) + (utf16 ? 2 : 0) + (language === ENGLISH_US || platform === 0 || (macRoman && language === 0) ? 1 : 0);
    if (!best || score > best.score) best = { score, text };
  }
  return best?.text ?? null;
}

function utf16be(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) text += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return text;
}
