/**
 * Runs corpus cases against the built CLIs in child processes, each case in
 * a fresh working directory holding its files, and records what it printed
 * and what the files looked like before and after. Cases run in batches:
 * one child (`batch-driver.js`) runs many cases one after another with
 * process stdout/stderr captured per case, as the CLIs' `main.js` wire them,
 * so the corpus costs a few node starts instead of one per case.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FuzzCase } from './corpus';

/** The checkout whose built CLIs run: this one, or `SUBLORA_FUZZ_ROOT` (to run the corpus against another). */
const REPO = process.env.SUBLORA_FUZZ_ROOT ?? path.resolve(__dirname, '..', '..', '..');

/** The built entry point of each CLI. */
export const CLI_ENTRY: Readonly<Record<FuzzCase['cli'], string>> = {
  sublora: path.join(REPO, 'apps/cli/dist/main.js'),
  'sublora-pinn': path.join(REPO, 'apps/pinn/dist/main.js'),
};

/** A run that does not end within this is a hang (a FIFO read, a training run). */
const HANG_MS = 20_000;

/** What one case did. */
export interface CaseRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly hung: boolean;
  /** `path -> sha256 or kind` of everything in the working directory, before and after. */
  readonly before: Record<string, string>;
  readonly after: Record<string, string>;
}

/** Every entry under `dir` with a fingerprint: file content hash, or its kind (FIFOs are never opened). */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const name of fs.readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name);
      const stat = fs.lstatSync(path.join(dir, rel));
      if (stat.isDirectory()) {
        out[rel] = 'dir';
        walk(rel);
      } else if (stat.isFile()) {
        out[rel] = createHash('sha256')
          .update(fs.readFileSync(path.join(dir, rel)))
          .digest('hex');
      } else if (stat.isSymbolicLink()) {
        out[rel] = `link:${fs.readlinkSync(path.join(dir, rel))}`;
      } else {
        out[rel] = `${stat.mode.toString(8)}:${stat.mtimeMs}`;
      }
    }
  };
  walk('');
  return out;
}

function writeFiles(dir: string, files: FuzzCase['files']): void {
  for (const [name, spec] of Object.entries(files ?? {})) {
    const file = path.join(dir, name);
    if (typeof spec === 'string' || spec instanceof Uint8Array) fs.writeFileSync(file, spec);
    else if ('fifo' in spec) execFileSync('mkfifo', [file]);
    else if ('symlink' in spec) fs.symlinkSync(spec.symlink, file);
    else fs.mkdirSync(file);
  }
}

const DRIVER = path.join(__dirname, 'batch-driver.js');

/** What a batch reported for one case. */
interface Reported {
  readonly k: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs cases `ks` in one child process (the batch driver), in order, each in
 * its own directory. Resolves with what was reported; when a case does not
 * finish within {@link HANG_MS} the child is killed and the case is `hung`.
 */
function runBatch(
  cases: readonly FuzzCase[],
  dirs: readonly string[],
  ks: readonly number[],
  scratch: string,
): Promise<{ reported: Reported[]; hung?: { k: number; output: string } }> {
  const input = path.join(scratch, `batch-${ks[0]}.json`);
  const items = ks.map((k) => ({ k, cli: cases[k].cli, args: cases[k].args, cwd: dirs[k] }));
  fs.writeFileSync(input, JSON.stringify([CLI_ENTRY, items]));
  const env = { ...process.env };
  delete env.SUBLORA_BACKEND;
  delete env.SUBLORA_DEBUG;
  const child = spawn(process.execPath, [DRIVER, input], {
    cwd: scratch,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const reported: Reported[] = [];
  let output = '';
  let pending = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, HANG_MS);
  };
  arm();
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) reported.push(JSON.parse(line) as Reported);
    arm();
  });
  return new Promise((resolve) =>
    child.on('close', () => {
      clearTimeout(timer);
      const next = ks[reported.length];
      // a batch that ended early (killed, or crashed) stops at the case it was running
      resolve(
        next === undefined
          ? { reported }
          : { reported, hung: { k: next, output: killed ? '' : output } },
      );
    }),
  );
}

/**
 * Runs every case, each in a fresh directory holding its files, in
 * `concurrency` batches of child processes; results in input order. A case
 * that hangs (or crashes its batch) is recorded and the batch goes on with
 * the cases after it in a new child.
 */
export async function runAll(cases: readonly FuzzCase[], concurrency: number): Promise<CaseRun[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-fuzz-'));
  try {
    const dirs = cases.map((c, k) => {
      const dir = path.join(scratch, `case-${k}`);
      fs.mkdirSync(dir);
      writeFiles(dir, c.files);
      return dir;
    });
    const before = dirs.map(fingerprint);
    const results: Partial<CaseRun>[] = cases.map(() => ({}));
    const lane = async (ks: number[]): Promise<void> => {
      while (ks.length > 0) {
        const { reported, hung } = await runBatch(cases, dirs, ks, scratch);
        for (const r of reported)
          results[r.k] = { code: r.code, stdout: r.stdout, stderr: r.stderr, hung: false };
        ks = ks.slice(reported.length);
        if (hung) {
          results[hung.k] = { code: null, stdout: '', stderr: hung.output, hung: true };
          ks = ks.slice(1);
        }
      }
    };
    const lanes = Array.from({ length: concurrency }, (_, j) =>
      cases.map((_c, k) => k).filter((k) => k % concurrency === j),
    );
    await Promise.all(lanes.map(lane));
    return results.map((r, k) => ({
      ...(r as CaseRun),
      before: before[k],
      after: fingerprint(dirs[k]),
    }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
