/**
 * Which writing systems a face covers, for `collage fonts`. A face covers a script when it
 * draws every character of a short sample of it (the letters a caption in that script needs
 * most); for files the whole character map is also counted.
 */
import type { Face } from './face.js';

interface Script {
  name: string;
  sample: string;
  /** The script's characters, to count in a face's map. */
  pattern: RegExp;
}

const SCRIPTS: readonly Script[] = [
  { name: 'Latin', sample: 'AZaz', pattern: /\p{Script=Latin}/u },
  { name: 'Latin Extended', sample: 'ĄąĆćĘęŁłŃńŚśŹźŻżŐőŰűČčŠšŽžĞğİışŞ', pattern: /[\u0100-\u024f\u1e00-\u1eff]/u },
  { name: 'Vietnamese', sample: 'ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẾếỆệỐốỒồỘộỚớỜờỢợỨứỪừỰựỲỳỴỵ', pattern: /[\u1ea0-\u1ef9]/u },
  { name: 'Greek', sample: 'ΑΒΓΔΩαβγδωάέήίόύώ', pattern: /\p{Script=Greek}/u },
  { name: 'Cyrillic', sample: 'АБВГДЕЖЯабвгдежяЁёЇїЄєЎў', pattern: /\p{Script=Cyrillic}/u },
  { name: 'Armenian', sample: 'ԱԲԳաբգ', pattern: /\p{Script=Armenian}/u },
  { name: 'Georgian', sample: 'აბგდ', pattern: /\p{Script=Georgian}/u },
  { name: 'Hebrew', sample: 'אבגדהשלום', pattern: /\p{Script=Hebrew}/u },
  { name: 'Arabic', sample: 'ابتثجحخدذرزسشمنهوي', pattern: /\p{Script=Arabic}/u },
  { name: 'Devanagari', sample: 'अआइकखगनमस्ते', pattern: /\p{Script=Devanagari}/u },
  { name: 'Bengali', sample: 'অআকখগ', pattern: /\p{Script=Bengali}/u },
  { name: 'Tamil', sample: 'அஆகங', pattern: /\p{Script=Tamil}/u },
  { name: 'Thai', sample: 'กขคงจสวัดี', pattern: /\p{Script=Thai}/u },
  { name: 'Khmer', sample: 'កខគ', pattern: /\p{Script=Khmer}/u },
  { name: 'Hangul', sample: '한국어가나다', pattern: /\p{Script=Hangul}/u },
  { name: 'Japanese kana', sample: 'あいうアイウ', pattern: /[\p{Script=Hiragana}\p{Script=Katakana}]/u },
  { name: 'Han (CJK)', sample: '的一是不人中国你好日本', pattern: /\p{Script=Han}/u },
  { name: 'Emoji', sample: '\u{1F600}\u{1F44D}\u{1F30D}\u{1F389}', pattern: /\p{Emoji_Presentation}/u },
];

export interface ScriptCoverage {
  name: string;
  /** Every sample character is drawn. */
  complete: boolean;
  /** Characters of the script in the face's map (files only). */
  characters?: number;
}

/** The scripts `faces` (one family's files, together) draw some of; complete ones first in table order. */
export function scriptsCovered(faces: readonly Face[]): ScriptCoverage[] {
  const covered: ScriptCoverage[] = [];
  const maps = faces.map((face) => face.coverage());
  const known = maps.every((map) => map !== null);
  for (const script of SCRIPTS) {
    const drawn = [...script.sample].filter((char) => faces.some((face) => face.covers(char.codePointAt(0)!))).length;
    const characters = known ? maps.reduce((sum, map) => sum + map!.count(script.pattern), 0) : undefined;
    if (drawn === 0 && !characters) continue;
    covered.push({ name: script.name, complete: drawn === [...script.sample].length, ...(characters !== undefined && { characters }) });
  }
  return covered;
}
