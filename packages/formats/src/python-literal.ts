/**
 * A parser for the small subset of Python literal syntax that `.npy` headers
 * use: dicts, tuples, lists, quoted strings, integers, `True`/`False`/`None`.
 * (numpy itself reads the header with `ast.literal_eval`.)
 */
import { FormatError } from './format-error';

/** A parsed Python literal. Tuples and lists both become arrays. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/**
 * Parses `text` as one Python literal.
 * @param baseOffset - byte offset of `text` in the file, for error messages
 */
export function parsePythonLiteral(text: string, baseOffset: number): PyValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new FormatError(
      `npy header is not a valid Python literal (${what}); the file is garbled or not written by numpy.save`,
      baseOffset + pos,
    );
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const parseSequence = (close: string, item: () => void): void => {
    skipSpace();
    while (text[pos] !== close) {
      item();
      skipSpace();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      skipSpace();
    }
    pos++;
  };
  const parseValue = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === undefined) return fail('unexpected end');
    if (ch === '{') {
      pos++;
      const dict: { [key: string]: PyValue } = {};
      parseSequence('}', () => {
        const key = parseValue();
        if (typeof key !== 'string') fail('dict key is not a string');
        expect(':');
        dict[key as string] = parseValue();
      });
      return dict;
    }
    if (ch === '(' || ch === '[') {
      pos++;
      const items: PyValue[] = [];
      parseSequence(ch === '(' ? ')' : ']', () => items.push(parseValue()));
      return items;
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, pos + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const word = /^(-?\d+L?|True|False|None)/.exec(text.slice(pos));
    if (!word) return fail(`unexpected character '${ch}'`);
    pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const value = parseValue();
  skipSpace();
  if (pos !== text.length) fail('unexpected text after the literal');
  return value;
}
