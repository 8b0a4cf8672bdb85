import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '@sublora/tensor';
import { loadInput, toMatrix } from './inputs';

/** r = 16 400: a float64 r x r Hessian is 2 151 680 000 bytes, over Node's 2 GiB read limit. */
const R = 16_400;
const DATA_BYTES = R * R * 8;
const NEEDED = DATA_BYTES + 2 ** 30; // the array in memory, plus room

function roomOnDisk(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Skipped (and said so) where the disk or memory lacks room; the file is sparse, so it uses almost no disk. */
const big = roomOnDisk(os.tmpdir()) > 2 ** 30 && os.freemem() > NEEDED ? it : it.skip;
if (big === it.skip) {
  console.warn(
    `read-tensor-file.test: skipping the >2 GiB reads (needs ${NEEDED} bytes free memory and 1 GiB disk)`,
  );
}

/** An npy header for `descr` and `shape` (a Python tuple), padded as numpy pads it. */
function npyHeader(descr: string, shape: string): Uint8Array {
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  text += ' '.repeat(64 - ((10 + text.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

/** A sparse file: `header`, then DATA_BYTES of zeros with 1.5 first and 7.25 last. */
function sparseFile(file: string, header: Uint8Array): void {
  fs.writeFileSync(file, header);
  fs.truncateSync(file, header.length + DATA_BYTES);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, new Uint8Array(new Float64Array([1.5]).buffer), 0, 8, header.length);
  fs.writeSync(
    fd,
    new Uint8Array(new Float64Array([7.25]).buffer),
    0,
    8,
    header.length + DATA_BYTES - 8,
  );
  fs.closeSync(fd);
}

function expectBigHessian(file: string, dir: string): void {
  const input = loadInput('--hessian', file, dir);
  if (input.kind !== 'tensor') throw new Error('expected a tensor');
  expect(input.shape).toEqual([R, R]);
  expect(input.data).toBeInstanceOf(Float64Array);
  expect(input.data.length).toBe(R * R);
  expect([input.data[0], input.data[1], input.data[R * R - 2], input.data[R * R - 1]]).toEqual([
    1.5, 0, 0, 7.25,
  ]);
  // checked in place: a second 2 GB copy would double the memory it needs
  expect(toMatrix(input, R).data).toBe(input.data);
}

describe('inputs over 2 GiB (issue: "check the path" at r >= 16 400)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-big-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  big('reads a float64 [16400, 16400] .npy of 2.15 GB by positioned reads', () => {
    sparseFile(path.join(dir, 'h.npy'), npyHeader('<f8', `(${R}, ${R})`));
    expectBigHessian('h.npy', dir);
    fs.rmSync(path.join(dir, 'h.npy'));
  });

  big('reads a float64 [16400, 16400] safetensors tensor of 2.15 GB by positioned reads', () => {
    const json = JSON.stringify({
      h: { dtype: 'F64', shape: [R, R], data_offsets: [0, DATA_BYTES] },
    });
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    const header = new Uint8Array(8 + padded.length);
    new DataView(header.buffer).setBigUint64(0, BigInt(padded.length), true);
    header.set(new TextEncoder().encode(padded), 8);
    sparseFile(path.join(dir, 'h.safetensors'), header);
    expectBigHessian('h.safetensors:h', dir);
    fs.rmSync(path.join(dir, 'h.safetensors'));
  });
});

describe('only regular files are read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-kinds-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const message = (spec: string): string => {
    try {
      loadInput('--sigma', spec, dir);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error('expected an InputError');
  };

  it('refuses a FIFO named .npy instead of blocking on it', () => {
    const fifo = path.join(dir, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    expect(message('pipe.npy')).toBe(
      "--sigma pipe.npy: 'pipe.npy' is a FIFO (named pipe), not a regular file; pass a file saved on disk",
    );
  });

  it('refuses /dev/zero behind a .npy or .json name instead of reading forever', () => {
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.npy'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    expect(message('zero.npy')).toMatch(/'zero\.npy' is a device, not a regular file/);
    expect(message('zero.json')).toMatch(/'zero\.json' is a device, not a regular file/);
  });

  it('refuses a directory and a missing file by name', () => {
    fs.mkdirSync(path.join(dir, 'd.npy'));
    expect(message('d.npy')).toMatch(/'d\.npy' is a directory, not a regular file/);
    expect(message('missing.npy')).toMatch(/cannot read 'missing\.npy' \(no such file\)/);
  });

  it('refuses a boolean .npy instead of reading it as 1/0', () => {
    const header = npyHeader('|b1', '(2,)');
    const file = new Uint8Array(header.length + 2);
    file.set(header);
    file.set([1, 0], header.length);
    fs.writeFileSync(path.join(dir, 'mask.npy'), file);
    expect(message('mask.npy')).toBe(
      '--sigma mask.npy: holds booleans (dtype bool), not numbers; save the values as floats, e.g. a.astype(numpy.float64)',
    );
  });
});
