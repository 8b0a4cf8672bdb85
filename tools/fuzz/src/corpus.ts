/**
 * The corpus: one record per bad input. Each names the CLI, its arguments,
 * the files its working directory holds, the exit code (2: usage error, 1:
 * bad input) and the one line it must print. The `sublora-pinn` cases are
 * all rejected before any training starts (and before a run directory is made).
 */
import {
  append,
  cut,
  f64,
  i64,
  npy,
  npyWith,
  safetensorsWith,
  TOY_SAFETENSORS,
  type FileSpec,
} from './fixtures';

/** One bad input and what the CLI must answer. */
export interface FuzzCase {
  readonly id: string;
  readonly cli: 'sublora' | 'sublora-pinn';
  readonly args: readonly string[];
  /** Files created in the case's working directory before the run (names relative to it). */
  readonly files?: Readonly<Record<string, FileSpec>>;
  /** 2 for usage errors (unknown command or option, missing value), 1 for bad input. */
  readonly code: 1 | 2;
  /** The one stderr line. */
  readonly message: RegExp;
}

const TOY = {
  '--sigma': '[1,2.1]',
  '--grad': '[-0.2,0.2]',
  '--hessian': '[[2,-2],[-2,2]]',
  '--budget': '1',
  '--method': 'sublora-g',
};

/** `sublora select` on the toy example with some flags replaced (`null` drops one). */
function select(changes: Record<string, string | null> = {}, extra: string[] = []): string[] {
  const flags: Record<string, string | null> = { ...TOY, ...changes };
  const args = ['select'];
  for (const [flag, value] of Object.entries(flags)) if (value !== null) args.push(flag, value);
  return [...args, ...extra];
}

/** `sublora check` on the toy example with some flags replaced. */
function check(changes: Record<string, string | null> = {}): string[] {
  return select({ '--grad': null, '--budget': null, '--method': null, ...changes }).map((a) =>
    a === 'select' ? 'check' : a,
  );
}

const NPY_SIGMA = npy([2], [1, 2.1]);
const JSON_HINT =
  /pass inline JSON such as '\[1, 2\.1\]', a \.json or \.npy file, or file\.safetensors:TENSOR$/;

const usage: FuzzCase[] = [
  {
    id: 'unknown command',
    cli: 'sublora',
    args: ['selec'],
    code: 2,
    message: /^error: unknown command 'selec' \(Did you mean select\?\)$/,
  },
  {
    id: 'unknown option',
    cli: 'sublora',
    args: select({}, ['--bogus']),
    code: 2,
    message: /^error: unknown option '--bogus'$/,
  },
  {
    id: 'misspelt option',
    cli: 'sublora',
    args: select({}, ['--sigmaa', '1']),
    code: 2,
    message: /^error: unknown option '--sigmaa' \(Did you mean --sigma\?\)$/,
  },
  {
    id: 'missing --method',
    cli: 'sublora',
    args: select({ '--method': null }),
    code: 2,
    message: /^error: required option '--method <M>' not specified$/,
  },
  {
    id: 'missing --hessian',
    cli: 'sublora',
    args: check({ '--hessian': null }),
    code: 2,
    message: /^error: required option '--hessian <X>' not specified$/,
  },
  {
    id: 'option without value',
    cli: 'sublora',
    args: ['select', '--sigma'],
    code: 2,
    message: /^error: option '--sigma <X>' argument missing$/,
  },
  {
    id: 'extra argument',
    cli: 'sublora',
    args: ['methods', 'extra'],
    code: 2,
    message: /^error: too many arguments for 'methods'\. Expected 0 arguments but got 1\.$/,
  },
  {
    id: 'backends bad option',
    cli: 'sublora',
    args: ['backends', '--all'],
    code: 2,
    message: /^error: unknown option '--all'$/,
  },
];

const vectors: FuzzCase[] = [
  {
    id: 'sigma neither JSON nor file',
    cli: 'sublora',
    args: select({ '--sigma': 'sigma' }),
    code: 1,
    message:
      /^sublora: --sigma: 'sigma' is neither JSON nor a \.json, \.npy or \.safetensors file; /,
  },
  {
    id: 'sigma unknown extension',
    cli: 'sublora',
    args: select({ '--sigma': 's.txt' }),
    files: { 's.txt': '[1,2.1]' },
    code: 1,
    message: JSON_HINT,
  },
  {
    id: 'sigma broken JSON',
    cli: 'sublora',
    args: select({ '--sigma': '[1,' }),
    code: 1,
    message: /^sublora: --sigma: is not valid JSON \(.*\); pass inline JSON/,
  },
  {
    id: 'sigma NaN literal',
    cli: 'sublora',
    args: select({ '--sigma': '[NaN, 1]' }),
    code: 1,
    message: /^sublora: --sigma: is not valid JSON /,
  },
  {
    id: 'sigma empty',
    cli: 'sublora',
    args: select({ '--sigma': '[]', '--grad': '[]', '--hessian': '[]' }),
    code: 1,
    message: /^sublora: --sigma: is empty; pass at least one singular value$/,
  },
  {
    id: 'sigma strings',
    cli: 'sublora',
    args: select({ '--sigma': '["1","2"]' }),
    code: 1,
    message: /^sublora: --sigma: entry 0 is the string "1", expected a number; /,
  },
  {
    id: 'sigma null entry',
    cli: 'sublora',
    args: select({ '--sigma': '[1,null]' }),
    code: 1,
    message: /^sublora: --sigma: entry 1 is null, expected a number; /,
  },
  {
    id: 'sigma boolean entry',
    cli: 'sublora',
    args: select({ '--sigma': '[true,1]' }),
    code: 1,
    message: /^sublora: --sigma: entry 0 is the boolean true, expected a number; /,
  },
  {
    id: 'sigma nested',
    cli: 'sublora',
    args: select({ '--sigma': '[[1],[2]]' }),
    code: 1,
    message: /^sublora: --sigma: expected a flat JSON array of numbers/,
  },
  {
    id: 'sigma object without data',
    cli: 'sublora',
    args: select({ '--sigma': '{"values":[1,2]}' }),
    code: 1,
    message: /^sublora: --sigma: expected a flat JSON array of numbers/,
  },
  {
    id: 'sigma overflowing literal',
    cli: 'sublora',
    args: select({ '--sigma': '[1e999,1]' }),
    code: 1,
    message: /^sublora: --sigma: entry 0 is Infinity; every value must be a finite number$/,
  },
  {
    id: 'grad too short',
    cli: 'sublora',
    args: select({ '--grad': '[1]' }),
    code: 1,
    message: /^sublora: --grad: has length 1 but 2 is required; pass one value per singular value$/,
  },
  {
    id: 'grad string',
    cli: 'sublora',
    args: select({ '--grad': '"0.2"' }),
    code: 1,
    message: /^sublora: --grad: '"0\.2"' is neither JSON nor/,
  },
];

const matrices: FuzzCase[] = [
  {
    id: 'hessian not square',
    cli: 'sublora',
    args: select({ '--hessian': '[[1,2,3],[4,5,6]]' }),
    code: 1,
    message: /^sublora: --hessian: /,
  },
  {
    id: 'hessian wrong size',
    cli: 'sublora',
    args: select({ '--hessian': '[[1]]' }),
    code: 1,
    message: /^sublora: --hessian: is 1x1 but 2x2 is required to match sigma$/,
  },
  {
    id: 'hessian not symmetric',
    cli: 'sublora',
    args: select({ '--hessian': '[[1,2],[3,1]]' }),
    code: 1,
    message: /^sublora: --hessian: is not symmetric: entry \(0, 1\)/,
  },
  {
    id: 'hessian string entry',
    cli: 'sublora',
    args: select({ '--hessian': '[[1,"0"],[0,1]]' }),
    code: 1,
    message: /^sublora: --hessian: row 0, entry 1 is the string "0", expected a number; /,
  },
  {
    id: 'hessian data size mismatch',
    cli: 'sublora',
    args: select({ '--hessian': '{"data":[1,0,0],"size":2}' }),
    code: 1,
    message: /^sublora: --hessian: /,
  },
  {
    id: 'hessian flat vector',
    cli: 'sublora',
    args: select({ '--hessian': '[1,0,0,1]' }),
    code: 1,
    message: /^sublora: --hessian: expected a square matrix as rows/,
  },
  {
    id: 'hessian overflows the model',
    cli: 'sublora',
    args: select({ '--sigma': '[1e200,1]', '--hessian': '[[1e300,0],[0,1]]' }),
    code: 1,
    message:
      /^sublora: --hessian: with this sigma and grad the second-order model overflows float64 .*; rescale the loss/,
  },
  {
    id: 'grad overflows the model',
    cli: 'sublora',
    args: select({ '--sigma': '[1e200,1]', '--grad': '[1e300,0]' }),
    code: 1,
    message:
      /^sublora: --hessian: with this sigma and grad the second-order model overflows float64/,
  },
  {
    id: 'exact overflow',
    cli: 'sublora',
    args: select({
      '--sigma': '[1e200,1e200]',
      '--hessian': '[[0,1e300],[1e300,0]]',
      '--method': 'exact',
    }),
    code: 1,
    message:
      /^sublora: --hessian: with this sigma and grad the second-order model overflows float64/,
  },
  {
    id: 'check empty',
    cli: 'sublora',
    args: check({ '--sigma': '[]', '--hessian': '[]' }),
    code: 1,
    message: /^sublora: --sigma: is empty; pass at least one singular value$/,
  },
  {
    id: 'check asymmetric',
    cli: 'sublora',
    args: check({ '--hessian': '[[1,5],[0,1]]' }),
    code: 1,
    message: /^sublora: --hessian: is not symmetric/,
  },
  {
    id: 'check strings',
    cli: 'sublora',
    args: check({ '--sigma': '["a","b"]' }),
    code: 1,
    message: /^sublora: --sigma: entry 0 is the string "a", expected a number/,
  },
];

const options: FuzzCase[] = [
  {
    id: 'budget word',
    cli: 'sublora',
    args: select({ '--budget': 'half' }),
    code: 1,
    message: /^sublora: --budget: 'half' is not an integer; /,
  },
  {
    id: 'budget negative',
    cli: 'sublora',
    args: select({ '--budget': '-1' }),
    code: 1,
    message: /^sublora: --budget: -1 is outside 0\.\.2 /,
  },
  {
    id: 'budget above r',
    cli: 'sublora',
    args: select({ '--budget': '3' }),
    code: 1,
    message: /^sublora: --budget: 3 is outside 0\.\.2 /,
  },
  {
    id: 'budget over 100%',
    cli: 'sublora',
    args: select({ '--budget': '150%' }),
    code: 1,
    message: /^sublora: --budget: 150% is more than 100%/,
  },
  {
    id: 'budget fraction',
    cli: 'sublora',
    args: select({ '--budget': '0.4' }),
    code: 1,
    message: /^sublora: --budget: '0\.4' is not an integer/,
  },
  {
    id: 'budget huge',
    cli: 'sublora',
    args: select({ '--budget': '99999999999999999999' }),
    code: 1,
    message: /^sublora: --budget: '99999999999999999999' is not an integer/,
  },
  {
    id: 'method unknown',
    cli: 'sublora',
    args: select({ '--method': 'sublora' }),
    code: 1,
    message: /^sublora: --method: unknown method 'sublora'; use one of /,
  },
  {
    id: 'method empty',
    cli: 'sublora',
    args: select({ '--method': '' }),
    code: 1,
    message: /^sublora: --method: unknown method ''; /,
  },
  {
    id: 'layers not integers',
    cli: 'sublora',
    args: select({}, ['--layers', '1,x']),
    code: 1,
    message: /^sublora: --layers: entry 'x' is not a positive integer/,
  },
  {
    id: 'layers wrong sum',
    cli: 'sublora',
    args: select({}, ['--layers', '1,2']),
    code: 1,
    message: /^sublora: --layers: sizes 1,2 add up to 3 but sigma has 2 values/,
  },
  {
    id: 'layers zero',
    cli: 'sublora',
    args: select({}, ['--layers', '0,2']),
    code: 1,
    message: /^sublora: --layers: entry '0' is not a positive integer/,
  },
  {
    id: 'seed negative',
    cli: 'sublora',
    args: select({ '--method': 'sublora-r' }, ['--seed', '-1']),
    code: 1,
    message: /^sublora: --seed: '-1' is not a non-negative integer/,
  },
  {
    id: 'seed word',
    cli: 'sublora',
    args: select({ '--method': 'sublora-r' }, ['--seed', 'abc']),
    code: 1,
    message: /^sublora: --seed: 'abc' is not a non-negative integer/,
  },
  {
    id: 'backend unknown',
    cli: 'sublora',
    args: select({}, ['--backend', 'cuda']),
    code: 1,
    message: /^sublora: --backend: /,
  },
  {
    id: 'backend unknown engine',
    cli: 'sublora',
    args: select({}, ['--backend', 'tfjs:webgpu']),
    code: 1,
    message: /^sublora: --backend: /,
  },
  {
    id: 'exact above 64',
    cli: 'sublora',
    args: select({
      '--sigma': JSON.stringify(new Array(65).fill(1)),
      '--grad': JSON.stringify(new Array(65).fill(0)),
      '--hessian': JSON.stringify({ data: new Array(65 * 65).fill(0), size: 65 }),
      '--method': 'exact',
    }),
    code: 1,
    message: /^sublora: --method: 'exact' handles r <= 64 singular values but r = 65; /,
  },
];

const files: FuzzCase[] = [
  {
    id: 'missing .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'missing.npy' }),
    code: 1,
    message:
      /^sublora: --sigma missing\.npy: cannot read 'missing\.npy' \(no such file\); check the path$/,
  },
  {
    id: 'directory named .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'd.npy' }),
    files: { 'd.npy': { dir: true } },
    code: 1,
    message: /^sublora: --sigma d\.npy: 'd\.npy' is a directory, not a regular file/,
  },
  {
    id: 'FIFO named .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'p.npy' }),
    files: { 'p.npy': { fifo: true } },
    code: 1,
    message: /^sublora: --sigma p\.npy: 'p\.npy' is a FIFO \(named pipe\), not a regular file/,
  },
  {
    id: '/dev/zero as .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'z.npy' }),
    files: { 'z.npy': { symlink: '/dev/zero' } },
    code: 1,
    message: /^sublora: --sigma z\.npy: 'z\.npy' is a device, not a regular file/,
  },
  {
    id: '/dev/zero as .json',
    cli: 'sublora',
    args: select({ '--hessian': 'z.json' }),
    files: { 'z.json': { symlink: '/dev/zero' } },
    code: 1,
    message: /^sublora: --hessian z\.json: 'z\.json' is a device/,
  },
  {
    id: 'FIFO as safetensors',
    cli: 'sublora',
    args: select({ '--grad': 'p.safetensors:grad' }),
    files: { 'p.safetensors': { fifo: true } },
    code: 1,
    message: /^sublora: --grad p\.safetensors:grad: 'p\.safetensors' is a FIFO/,
  },
  {
    id: 'empty .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'e.npy' }),
    files: { 'e.npy': '' },
    code: 1,
    message:
      /^sublora: --sigma e\.npy: at byte 0: npy file is truncated: the magic and version needs 8 bytes but the file has 0; /,
  },
  {
    id: 'text as .npy',
    cli: 'sublora',
    args: select({ '--sigma': 't.npy' }),
    files: { 't.npy': '[1, 2.1]' },
    code: 1,
    message: /^sublora: --sigma t\.npy: at byte 0: not an npy file/,
  },
  {
    id: 'truncated .npy data',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': cut(NPY_SIGMA, 3) },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte \d+: npy file is truncated: 2 float64 values/,
  },
  {
    id: 'truncated .npy header',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': NPY_SIGMA.slice(0, 40) },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte 40: npy file is truncated: the header needs/,
  },
  {
    id: '.npy with extra bytes',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': append(NPY_SIGMA, [0, 0]) },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte \d+: npy file has 2 unexpected bytes/,
  },
  {
    id: '.npy version 9',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: {
      's.npy': (() => {
        const b = NPY_SIGMA.slice();
        b[6] = 9;
        return b;
      })(),
    },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte 6: npy format version 9\.0 is not supported/,
  },
  {
    id: 'boolean .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'b.npy' }),
    files: { 'b.npy': npyWith("'|b1'", '(2,)', [1, 0]) },
    code: 1,
    message: /^sublora: --sigma b\.npy: holds booleans \(dtype bool\), not numbers; /,
  },
  {
    id: 'complex .npy',
    cli: 'sublora',
    args: select({ '--sigma': 'c.npy' }),
    files: { 'c.npy': npyWith("'<c16'", '(1,)', new Array(16).fill(0)) },
    code: 1,
    message: /^sublora: --sigma c\.npy: at byte 10: npy dtype '<c16' is not supported/,
  },
  {
    id: 'structured .npy',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npyWith("[('a', '<f8')]", '(1,)', f64(1)) },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte 10: npy dtype .* is a structured dtype/,
  },
  {
    id: 'native-order .npy',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npyWith("'=f8'", '(1,)', f64(1)) },
    code: 1,
    message: /does not state its byte order/,
  },
  {
    id: '.npy negative shape',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npyWith("'<f8'", '(-2,)', []) },
    code: 1,
    message: /npy shape \[-2\] is not a tuple of non-negative integers/,
  },
  {
    id: '.npy header not a dict',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: {
      's.npy': (() => {
        const b = npyWith("'<f8'", '(1,)', f64(1));
        b[10] = 0x5b;
        return b;
      })(),
    },
    code: 1,
    message: /^sublora: --sigma s\.npy: at byte \d+: npy /,
  },
  {
    id: '.npy 2-D sigma',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npy([1, 2], [1, 2.1]) },
    code: 1,
    message: /^sublora: --sigma s\.npy: has shape \[1, 2\] but a 1-D vector is required/,
  },
  {
    id: '.npy NaN',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npy([2], [1, NaN]) },
    code: 1,
    message: /^sublora: --sigma s\.npy: entry 1 is NaN; every value must be a finite number$/,
  },
  {
    id: '.npy int64 beyond 2^53',
    cli: 'sublora',
    args: select({ '--sigma': 's.npy' }),
    files: { 's.npy': npyWith("'<i8'", '(2,)', [...i64(1n), ...i64(2n ** 60n)]) },
    code: 1,
    message: /64-bit integer 1152921504606846976 is outside \+-2\^53/,
  },
  {
    id: '.npy 1-D hessian',
    cli: 'sublora',
    args: select({ '--hessian': 'h.npy' }),
    files: { 'h.npy': npy([4], [2, -2, -2, 2]) },
    code: 1,
    message:
      /^sublora: --hessian h\.npy: has shape \[4\] but a square matrix \[r, r\] is required$/,
  },
  {
    id: 'missing .json',
    cli: 'sublora',
    args: select({ '--grad': 'g.json' }),
    code: 1,
    message: /^sublora: --grad g\.json: cannot read 'g\.json' \(no such file\)/,
  },
  {
    id: 'empty .json',
    cli: 'sublora',
    args: select({ '--grad': 'g.json' }),
    files: { 'g.json': '' },
    code: 1,
    message: /^sublora: --grad g\.json: is not valid JSON/,
  },
  {
    id: '.json with strings',
    cli: 'sublora',
    args: select({ '--grad': 'g.json' }),
    files: { 'g.json': '["-0.2", "0.2"]' },
    code: 1,
    message: /^sublora: --grad g\.json: entry 0 is the string "-0\.2", expected a number/,
  },
  {
    id: '.json matrix as vector',
    cli: 'sublora',
    args: select({ '--grad': 'g.json' }),
    files: { 'g.json': '[[1,2]]' },
    code: 1,
    message: /^sublora: --grad g\.json: expected a flat JSON array of numbers/,
  },
];

const safetensors: FuzzCase[] = [
  {
    id: 'safetensors without tensor name',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors' }),
    files: { 't.safetensors': TOY_SAFETENSORS },
    code: 1,
    message:
      /^sublora: --sigma t\.safetensors: name the tensor as t\.safetensors:TENSOR; available: /,
  },
  {
    id: 'safetensors unknown tensor',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:s' }),
    files: { 't.safetensors': TOY_SAFETENSORS },
    code: 1,
    message: /^sublora: --sigma t\.safetensors:s: 't\.safetensors' has no tensor 's'; available: /,
  },
  {
    id: 'safetensors missing file',
    cli: 'sublora',
    args: select({ '--sigma': 'none.safetensors:sigma' }),
    code: 1,
    message:
      /^sublora: --sigma none\.safetensors:sigma: cannot read 'none\.safetensors' \(no such file\)/,
  },
  {
    id: 'safetensors 2-D for a vector',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:hessian' }),
    files: { 't.safetensors': TOY_SAFETENSORS },
    code: 1,
    message:
      /^sublora: --sigma t\.safetensors:hessian: has shape \[2, 2\] but a 1-D vector is required/,
  },
  {
    id: 'safetensors too short',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: { 't.safetensors': TOY_SAFETENSORS.slice(0, 5) },
    code: 1,
    message: /safetensors file is truncated: it has 5 bytes/,
  },
  {
    id: 'safetensors huge header length',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: { 't.safetensors': new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0x7b, 0x7d]) },
    code: 1,
    message: /safetensors header length \d+ \(bytes 0-7\) exceeds the 100000000-byte limit/,
  },
  {
    id: 'safetensors truncated data',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: { 't.safetensors': cut(TOY_SAFETENSORS, 4) },
    code: 1,
    message: /ends past the \d+-byte data buffer; the file is truncated/,
  },
  {
    id: 'safetensors header not JSON',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: {
      't.safetensors': (() => {
        const b = TOY_SAFETENSORS.slice();
        b[9] = 0x3a;
        return b;
      })(),
    },
    code: 1,
    message: /safetensors header is not valid JSON/,
  },
  {
    id: 'safetensors unsupported dtype',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: {
      't.safetensors': safetensorsWith(
        { sigma: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } },
        [1, 2],
      ),
    },
    code: 1,
    message: /safetensors tensor 'sigma' has unsupported dtype "F8_E4M3"/,
  },
  {
    id: 'safetensors BOOL tensor',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: {
      't.safetensors': safetensorsWith(
        { sigma: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } },
        [1, 0],
      ),
    },
    code: 1,
    message: /^sublora: --sigma t\.safetensors:sigma: holds booleans \(dtype BOOL\), not numbers/,
  },
  {
    id: 'safetensors offsets mismatch',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: {
      't.safetensors': safetensorsWith(
        { sigma: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } },
        f64(1),
      ),
    },
    code: 1,
    message: /spans 8 bytes but F64 shape \[2\] needs 16/,
  },
  {
    id: 'safetensors metadata not strings',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: {
      't.safetensors': safetensorsWith(
        { __metadata__: { step: 1 }, sigma: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } },
        f64(1),
      ),
    },
    code: 1,
    message: /safetensors __metadata__ must map strings to strings/,
  },
  {
    id: 'safetensors header an array',
    cli: 'sublora',
    args: select({ '--sigma': 't.safetensors:sigma' }),
    files: { 't.safetensors': safetensorsWith([1, 2]) },
    code: 1,
    message:
      /at byte 8: safetensors header does not start with '\{'; the file is garbled or not safetensors$/,
  },
  {
    id: 'npy named .safetensors',
    cli: 'sublora',
    args: select({ '--sigma': 'n.safetensors:sigma' }),
    files: { 'n.safetensors': NPY_SIGMA },
    code: 1,
    message: /^sublora: --sigma n\.safetensors:sigma: at byte 0: safetensors header length/,
  },
];

const PINN_OUT = ['--out', 'runs'];

const pinn: FuzzCase[] = [
  {
    id: 'pinn unknown command',
    cli: 'sublora-pinn',
    args: ['train'],
    code: 2,
    message: /^error: unknown command 'train' \(Did you mean pretrain\?\)$/,
  },
  {
    id: 'pinn unknown option',
    cli: 'sublora-pinn',
    args: ['pretrain', '--bogus', ...PINN_OUT],
    code: 2,
    message: /^error: unknown option '--bogus'$/,
  },
  {
    id: 'pinn option without value',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset'],
    code: 2,
    message: /^error: option '--preset <name>' argument missing$/,
  },
  {
    id: 'pinn export without --file',
    cli: 'sublora-pinn',
    args: ['export', '--preset', 'smoke', ...PINN_OUT],
    code: 2,
    message: /^error: required option '--file <path>' not specified$/,
  },
  {
    id: 'pinn unknown preset',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'tiny', ...PINN_OUT],
    code: 1,
    message:
      /^sublora-pinn: preset: unknown preset "tiny"; use one of smoke, small, medium, paper$/,
  },
  {
    id: 'pinn unknown pde',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--pde', 'heat', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: --pde: unknown PDE 'heat'; use one of /,
  },
  {
    id: 'pinn negative width',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--set', 'network.width=-1', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.network\.width: /,
  },
  {
    id: 'pinn rank not a number',
    cli: 'sublora-pinn',
    args: ['finetune', '--preset', 'smoke', '--set', 'network.rank=abc', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.network\.rank: /,
  },
  {
    id: 'pinn zero depth',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--set', 'network.depth=0', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.network\.depth: /,
  },
  {
    id: 'pinn --set without =',
    cli: 'sublora-pinn',
    args: ['pretrain', '--set', 'nope', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: --set: expected key=value \(got "nope"\)/,
  },
  {
    id: 'pinn unknown key',
    cli: 'sublora-pinn',
    args: ['pretrain', '--set', 'network.size=3', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.network\.size: is not a configuration key; /,
  },
  {
    id: 'pinn empty seeds',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--set', 'seeds=[]', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.seeds: /,
  },
  {
    id: 'pinn unknown method',
    cli: 'sublora-pinn',
    args: [
      'determine',
      '--preset',
      'smoke',
      '--set',
      'determination.methods=["nope"]',
      ...PINN_OUT,
    ],
    code: 1,
    message: /^sublora-pinn: config\.determination\.methods/,
  },
  {
    id: 'pinn negative epochs',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--set', 'epochs.pretrain=-5', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.epochs\.pretrain: /,
  },
  {
    id: 'pinn unknown backend',
    cli: 'sublora-pinn',
    args: ['pretrain', '--preset', 'smoke', '--backend', 'cuda', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: config\.backend: unknown backend 'cuda'/,
  },
  {
    id: 'pinn missing config file',
    cli: 'sublora-pinn',
    args: ['pretrain', '--config', 'c.json', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: --config: cannot read c\.json; /,
  },
  {
    id: 'pinn config not JSON',
    cli: 'sublora-pinn',
    args: ['pretrain', '--config', 'c.json', ...PINN_OUT],
    files: { 'c.json': '{network: 1}' },
    code: 1,
    message: /^sublora-pinn: --config: c\.json is not valid JSON/,
  },
  {
    id: 'pinn config an array',
    cli: 'sublora-pinn',
    args: ['pretrain', '--config', 'c.json', ...PINN_OUT],
    files: { 'c.json': '[1]' },
    code: 1,
    message: /^sublora-pinn: --config: c\.json holds an array, not an object; /,
  },
  {
    id: 'pinn config a FIFO',
    cli: 'sublora-pinn',
    args: ['pretrain', '--config', 'c.json', ...PINN_OUT],
    files: { 'c.json': { fifo: true } },
    code: 1,
    message: /^sublora-pinn: --config: c\.json is not a regular file; /,
  },
  {
    id: 'pinn config a directory',
    cli: 'sublora-pinn',
    args: ['pretrain', '--config', 'c.json', ...PINN_OUT],
    files: { 'c.json': { dir: true } },
    code: 1,
    message: /^sublora-pinn: --config: c\.json is not a regular file; /,
  },
  {
    id: 'pinn export bad lambda',
    cli: 'sublora-pinn',
    args: [
      'export',
      '--preset',
      'smoke',
      '--file',
      'x.safetensors',
      '--lambda',
      'abc',
      ...PINN_OUT,
    ],
    code: 1,
    message: /^sublora-pinn: --lambda: 'abc' is not two numbers; /,
  },
  {
    id: 'pinn export bad seed',
    cli: 'sublora-pinn',
    args: ['export', '--preset', 'smoke', '--file', 'x.safetensors', '--seed', '-3', ...PINN_OUT],
    code: 1,
    message: /^sublora-pinn: --seed: '-3' is not a non-negative integer/,
  },
  {
    id: 'pinn report without results',
    cli: 'sublora-pinn',
    args: ['report', '--out', 'runs', '--name', 'none'],
    code: 1,
    message: /^sublora-pinn: --name: no results in runs\/none; /,
  },
];

/** Every case, sublora first. */
export const CORPUS: readonly FuzzCase[] = [
  ...usage,
  ...vectors,
  ...matrices,
  ...options,
  ...files,
  ...safetensors,
  ...pinn,
];
