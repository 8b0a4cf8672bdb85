import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GeneratedFile } from './executor-files';

/** Set to 1 to rewrite the golden files from the generators' current output. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares generated files with `__golden__/<name>/`, byte for byte and file
 * for file; with `UPDATE_GOLDEN=1` rewrites that folder instead.
 */
export function expectGolden(name: string, files: readonly GeneratedFile[]): void {
  const dir = path.join(__dirname, '__golden__', name);
  if (UPDATE_GOLDEN) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(dir, f.path), f.content);
  }
  expect(fs.readdirSync(dir).sort()).toEqual(files.map((f) => f.path).sort());
  for (const f of files) {
    // toEqual on the pair names the file in the diff
    expect({ file: f.path, content: f.content }).toEqual({
      file: f.path,
      content: fs.readFileSync(path.join(dir, f.path), 'utf8'),
    });
  }
}
