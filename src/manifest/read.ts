/** Reading a manifest file: JSON (with line:column on syntax errors) or a plain list of images. */
import { readFile } from 'node:fs/promises';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ManifestError } from '../errors.js';

export type RawManifest =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; images: string[] };

export async function readManifestFile(file: string): Promise<RawManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a manifest file' : (error as Error).message;
    throw new ManifestError(file, [{ path: '', message: `cannot read manifest: ${why}` }]);
  }
  return parseManifestText(file, text);
}

/** JSON when the file starts with `{` (or is named *.json), else one image per line with `#` comments. */
export function parseManifestText(file: string, text: string): RawManifest {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{') || file.toLowerCase().endsWith('.json')) {
    return { kind: 'json', value: parseJson(file, body) };
  }
  const images = body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return { kind: 'text', images };
}

const SYNTAX_MESSAGES: Partial<Record<string, string>> = {
  InvalidSymbol: 'unexpected text',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'expected a double-quoted property name',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':' after the property name",
  CommaExpected: "expected ',' or a closing bracket",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the end of the manifest',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's messages on Node 20 name no position for some errors; jsonc-parser
    // reports the exact offset of the first one, so the user gets line:column.
    const errors: ParseError[] = [];
    parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const offset = first?.offset ?? text.length;
    const code = first ? printParseErrorCode(first.error) : 'ValueExpected';
    const { line, column } = lineColumn(text, offset);
    throw new ManifestError(`${file}:${line}:${column}`, [{ path: '', message: `invalid JSON: ${SYNTAX_MESSAGES[code] ?? code}` }]);
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
