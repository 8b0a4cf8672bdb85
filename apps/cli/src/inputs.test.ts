import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serializeNpy, serializeSafetensors } from '@sublora/formats';
import { InputError } from '@sublora/tensor';
import { loadInput, toMatrix, toVector } from './inputs';

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).not.toContain('\n');
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadInput / toVector / toMatrix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-inputs-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array | string): string => {
    fs.writeFileSync(path.join(dir, name), bytes);
    return name;
  };
  const rows = [
    [2, -2, 0.5],
    [-2, 2, 0],
    [0.5, 0, 1],
  ];
  const flat = Float64Array.from(rows.flat());

  it('reads the same vector from inline JSON, .json, .npy (float32 and float64) and safetensors', () => {
    write('v.json', '{ "data": [1, 2.5, -3] }');
    write('bom.json', '\uFEFF[1, 2.5, -3]'); // the byte-order mark some Windows editors write
    write('v.npy', serializeNpy({ dtype: 'float64', shape: [3], data: [1, 2.5, -3] }));
    write('v32.npy', serializeNpy({ dtype: 'float32', shape: [3], data: [1, 2.5, -3] }));
    write(
      't.safetensors',
      serializeSafetensors({ g: { dtype: 'F32', shape: [3], data: [1, 2.5, -3] } }),
    );
    for (const spec of [
      ' [1, 2.5, -3] ',
      'v.json',
      'bom.json',
      'v.npy',
      'v32.npy',
      't.safetensors:g',
    ]) {
      expect(toVector(loadInput('--grad', spec, dir), 3)).toEqual(Float64Array.of(1, 2.5, -3));
    }
  });

  it('reads the same matrix from rows, { data, size }, .npy (C and Fortran order) and safetensors', () => {
    write('m.json', JSON.stringify(rows));
    write('md.json', JSON.stringify({ data: rows.flat(), size: 3 }));
    write('m.npy', serializeNpy({ dtype: 'float64', shape: [3, 3], data: flat }));
    // Fortran order: the header flag set and the data transposed (column-major).
    const fortran = serializeNpy({
      dtype: 'float64',
      shape: [3, 3],
      data: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    });
    const text = Buffer.from(fortran)
      .toString('latin1')
      .replace("'fortran_order': False", "'fortran_order': True ");
    write('mf.npy', Buffer.from(text, 'latin1'));
    write(
      'm.safetensors',
      serializeSafetensors({ H: { dtype: 'F64', shape: [3, 3], data: flat } }),
    );
    for (const spec of [JSON.stringify(rows), 'm.json', 'md.json', 'm.npy', 'm.safetensors:H']) {
      expect(toMatrix(loadInput('--hessian', spec, dir), 3)).toEqual({ data: flat, size: 3 });
    }
    // the file holds 1..9 column-major, so row-major M[i][j] = data[i + 3 j]
    expect(toMatrix(loadInput('--hessian', 'mf.npy', dir)).data).toEqual(
      Float64Array.of(1, 4, 7, 2, 5, 8, 3, 6, 9),
    );
  });

  it('names the flag and the file, and says how to fix it', () => {
    write('bad.json', '[1, 2');
    write('latin1.json', Uint8Array.of(0x5b, 0x31, 0xe9, 0x5d)); // [1é] in Latin-1
    write(
      'trunc.npy',
      serializeNpy({ dtype: 'float64', shape: [3], data: [1, 2, 3] }).subarray(0, 140),
    );
    write('nan.npy', serializeNpy({ dtype: 'float64', shape: [2], data: [1, NaN] }));
    write('m2.npy', serializeNpy({ dtype: 'float64', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }));
    write('x.safetensors', serializeSafetensors({ a: { dtype: 'F32', shape: [1], data: [1] } }));
    write('notes.txt', 'hello');
    const cases: [() => unknown, RegExp][] = [
      [
        () => loadInput('--sigma', '[1, 2', dir),
        /^--sigma: is not valid JSON \(.*\); pass inline JSON/,
      ],
      [() => loadInput('--sigma', 'bad.json', dir), /^--sigma bad\.json: is not valid JSON/],
      [
        () => loadInput('--sigma', 'latin1.json', dir),
        /^--sigma latin1\.json: is not UTF-8 text; save the file as UTF-8 JSON$/,
      ],
      [
        () => loadInput('--sigma', 'missing.npy', dir),
        /^--sigma missing\.npy: cannot read 'missing\.npy' \(no such file\); check the path$/,
      ],
      [
        () => loadInput('--sigma', 'trunc.npy', dir),
        /^--sigma trunc\.npy: at byte 140: npy file is truncated/,
      ],
      [
        () => loadInput('--sigma', 'x.safetensors:b', dir),
        /^--sigma x\.safetensors:b: 'x\.safetensors' has no tensor 'b'; available: a$/,
      ],
      [
        () => loadInput('--sigma', 'x.safetensors', dir),
        /name the tensor as x\.safetensors:TENSOR; available: a$/,
      ],
      [() => loadInput('--sigma', 'notes.txt', dir), /^--sigma: 'notes\.txt' is neither JSON nor/],
      [() => loadInput('--sigma', '.', dir), /neither JSON/],
      [
        () => toVector(loadInput('--sigma', 'nan.npy', dir)),
        /^--sigma nan\.npy: entry 1 is NaN; every value must be a finite number$/,
      ],
      [
        () => toVector(loadInput('--sigma', 'm2.npy', dir)),
        /has shape \[2, 3\] but a 1-D vector is required/,
      ],
      [() => toVector(loadInput('--sigma', '[[1], [2]]', dir)), /expected a flat JSON array/],
      [() => toVector(loadInput('--sigma', '[1, null]', dir)), /entry 1 is null/],
      [
        () => toVector(loadInput('--grad', '[1, 2]', dir), 3),
        /^--grad: has length 2 but 3 is required/,
      ],
      [
        () => toMatrix(loadInput('--hessian', 'm2.npy', dir)),
        /has shape \[2, 3\] but a square matrix/,
      ],
      [
        () => toMatrix(loadInput('--hessian', '[1, 2, 3, 4]', dir)),
        /expected a square matrix as rows/,
      ],
      [() => toMatrix(loadInput('--hessian', '[[1, 2], [3]]', dir)), /row 1 has 1 entries/],
      [
        () => toMatrix(loadInput('--hessian', '{"data": [1, 2, 3], "size": 2}', dir)),
        /has 3 entries but size 2 needs 4/,
      ],
    ];
    for (const [f, pattern] of cases) expect(inputError(f).message).toMatch(pattern);
  });
});
