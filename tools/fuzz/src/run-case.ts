/**
 * Runs a corpus case against a built CLI in a child process, in a fresh
 * working directory holding the case's files, and records what it printed
 * and what the files looked like before and after.
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

/** Runs `c` in a fresh directory under the OS temp dir (removed afterwards). */
export async function runCase(c: FuzzCase): Promise<CaseRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sublora-fuzz-'));
  try {
    writeFiles(dir, c.files);
    const before = fingerprint(dir);
    const env = { ...process.env };
    delete env.SUBLORA_BACKEND;
    delete env.SUBLORA_DEBUG;
    const child = spawn(process.execPath, [CLI_ENTRY[c.cli], ...c.args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, HANG_MS);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    return { code, stdout, stderr, hung, before, after: fingerprint(dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every case, `concurrency` at a time; results in input order. */
export async function runAll(cases: readonly FuzzCase[], concurrency: number): Promise<CaseRun[]> {
  const results: CaseRun[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const k = next++;
      results[k] = await runCase(cases[k]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
