/** Reading a manifest file: JSON (with line:column on syntax errors) or a plain list of images. */
import { open, type FileHandle } from 'node:fs/promises';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ManifestError } from '../errors.js';

export type RawManifest = { kind: 'json'; value: unknown } | { kind: 'text'; images: string[] };

/** A manifest file as read: its parsed form, its bytes, and the size and time of the handle they came from. */
export interface ManifestFile {
  raw: RawManifest;
  bytes: Buffer;
  size: number;
  mtimeMs: number;
}

export async function readManifestFile(file: string): Promise<RawManifest> {
  return (await readManifestSource(file)).raw;
}

/** Reads the manifest once (batch hashes and builds exactly these bytes). Only regular files: a FIFO or a device would hang or never end. */
export async function readManifestSource(file: string): Promise<ManifestFile> {
  let handle: FileHandle | undefined;
  let bytes: Buffer;
  let info: { size: number; mtimeMs: number };
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
    if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'NOTFILE' });
    info = { size: stat.size, mtimeMs: stat.mtimeMs };
    bytes = await handle.readFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a manifest file'
          : code === 'NOTFILE'
            ? 'is not a regular file'
            : code === 'EACCES'
              ? 'permission denied'
              : (error as Error).message;
    throw new ManifestError(file, [{ path: '', message: `cannot read manifest: ${why}` }]);
  } finally {
    await handle?.close();
  }
  return { raw: parseManifestText(file, bytes.toString('utf8')), bytes, ...info };
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

/**
 * Nesting no manifest needs (it has five levels): refused before parsing, because jsonc-parser
 * (which finds where invalid JSON goes wrong) recurses per level and 100,000 `[` overflowed its stack.
 */
const MAX_DEPTH = 64;

function parseJson(file: string, text: string): unknown {
  const deep = tooDeepAt(text);
  if (deep !== null) {
    const { line, column } = lineColumn(text, deep);
    throw new ManifestError(`${file}:${line}:${column}`, [{ path: '', message: `invalid JSON: nested more than ${MAX_DEPTH} levels deep` }]);
  }
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

/** Offset of the first `[` or `{` more than MAX_DEPTH levels deep (outside strings), or null. */
function tooDeepAt(text: string): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return null;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
