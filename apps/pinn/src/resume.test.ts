/**
 * Resume after `kill -9` at any point: a run is killed at seeded random
 * points in every stage (pretrain, finetune, determine, alternate), resumed
 * from what it left on disk, and must end with the same results, metrics
 * records and checkpoint files as an uninterrupted run, bit for bit (apart
 * from wall times). The kill is emulated in process: every file mutation
 * goes through `fs.appendFileSync`, `writeSync`, `renameSync` or `rmSync`; at the chosen one the process "dies" (a metrics append is
 * torn halfway) and every later mutation fails, so nothing after that point
 * reaches the disk, as with a real kill. `PINN_RESUME_KILLS=N` kills at N
 * points per stage instead of 1 (the thorough, opt-in version).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { referenceBackend } from '@sublora/tensor';
import { resolveConfig } from './config';
import { openMetrics } from './metrics';
import { type RunContext, alternatingMethods, runAlternating, runDetermination } from './stages';
import { readResults } from './results';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('node:fs') = require('node:fs');

const STAGES = ['pretrain', 'finetune', 'determine', 'alternate'] as const;
type Stage = (typeof STAGES)[number];
const MUTATORS = ['appendFileSync', 'writeSync', 'renameSync', 'rmSync'] as const;
// Node loads rmSync's helpers on first use and keeps the fs functions it finds then; load them
// now, before any spy is in place, so they never capture one.
fs.rmSync(path.join(os.tmpdir(), 'pinn-kill-preload'), { recursive: true, force: true });

class Killed extends Error {}

/** The stage a file mutation belongs to, from the metrics record or checkpoint it writes. */
function stageOf(name: string, args: unknown[], previous: Stage): Stage {
  if (name === 'appendFileSync') {
    const record = JSON.parse(String(args[1])) as { kind: string; phase?: string };
    if (record.kind === 'epoch') return record.phase as Stage;
    if (record.kind === 'determination') return 'determine';
    if (record.kind.startsWith('alternating')) return 'alternate';
    return record.kind as Stage;
  }
  const file = path.basename(String(args[1] ?? args[0]));
  return STAGES.find((s) => file.startsWith(s)) ?? previous;
}

/** Counts file mutations by stage and, when `killAt` is given, dies at that one. */
function instrument(killAt?: number): { events: Stage[]; restore: () => void } {
  const events: Stage[] = [];
  let dead = false;
  let current: Stage = 'pretrain';
  const spies = MUTATORS.map((name) => {
    const real = fs[name] as (...a: unknown[]) => unknown;
    return jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
      if (dead) throw new Killed('killed');
      // writeSync is part of an atomic write whose commit is the rename; count only commits.
      if (name !== 'writeSync') {
        current = stageOf(name, args, current);
        if (events.push(current) - 1 === killAt) {
          dead = true;
          if (name === 'appendFileSync') {
            const line = String(args[1]);
            real(args[0], line.slice(0, Math.floor(line.length / 2)));
          }
          throw new Killed('killed');
        }
      }
      return real(...args);
    }) as never);
  });
  return { events, restore: () => spies.forEach((s) => s.mockRestore()) };
}

const lambda = [1, 1] as const;

/** The `experiment` command's stages for one PDE, seed and target, from what is on disk. */
async function experiment(outDir: string, overrides: Record<string, unknown>): Promise<void> {
  const config = resolveConfig('smoke', overrides);
  const ctx: RunContext = {
    config,
    outDir,
    backend: referenceBackend,
    metrics: openMetrics(outDir),
    results: readResults(outDir),
    log: () => undefined,
    quiet: true,
  };
  await runDetermination(ctx, 'elliptic', 0, lambda);
  for (const method of alternatingMethods(config))
    await runAlternating(ctx, 'elliptic', 0, lambda, method);
}

const TIMING = new Set(['time', 'seconds', 'derivativeSeconds']);
const withoutTimes = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (k, v: unknown) => (TIMING.has(k) ? undefined : v));

/** Everything a run leaves, wall times removed: results, metrics lines in order, checkpoint files. */
function snapshot(outDir: string) {
  const ckpt = path.join(outDir, 'checkpoints', 'elliptic');
  const files = fs.readdirSync(ckpt).sort();
  return {
    results: withoutTimes(JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8'))),
    metrics: fs
      .readFileSync(path.join(outDir, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => withoutTimes(JSON.parse(l))),
    files,
    weights: files
      .filter((f) => f.endsWith('.safetensors'))
      .map((f) => fs.readFileSync(path.join(ckpt, f)).toString('base64')),
  };
}

/** Seeded choice of `count` distinct event indices per stage (mulberry32). */
function killPoints(events: readonly Stage[], count: number, seed: number): number[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return STAGES.flatMap((stage) => {
    const indices = events.flatMap((s, i) => (s === stage ? [i] : []));
    const picked = new Set<number>();
    while (picked.size < Math.min(count, indices.length))
      picked.add(indices[Math.floor(random() * indices.length)]);
    return [...picked];
  });
}

// The smoke preset checkpoints every 20 epochs, so alternating rounds (5 epochs) only
// checkpoint at their ends; every 2 epochs makes kills land inside rounds too.
describe.each([
  ['the smoke preset', {}],
  ['checkpoints every 2 epochs', { checkpointEvery: 2 }],
])('resume after kill -9 (%s)', (_, overrides: Record<string, unknown>) => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pinn-kill-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  let reference: ReturnType<typeof snapshot>;
  let events: Stage[];
  beforeAll(async () => {
    const dir = tempDir();
    const counter = instrument();
    try {
      await experiment(dir, overrides);
    } finally {
      counter.restore();
    }
    events = counter.events;
    reference = snapshot(dir);
  }, 120_000);

  it('the uninterrupted run has no duplicate metrics records and mutates files in every stage', () => {
    expect(new Set(events)).toEqual(new Set(STAGES));
    const lines = reference.metrics.map((m) => JSON.stringify(m));
    expect(new Set(lines).size).toBe(lines.length);
  });

  const perStage = Number(process.env.PINN_RESUME_KILLS ?? 1);
  it(`a run killed at ${perStage} seeded random point(s) per stage and resumed equals the uninterrupted run`, async () => {
    const points = killPoints(events, perStage, 20261203);
    expect(points).toHaveLength(STAGES.length * perStage);
    for (const killAt of points) {
      const dir = tempDir();
      const killer = instrument(killAt);
      try {
        await expect(experiment(dir, overrides)).rejects.toBeInstanceOf(Killed);
      } finally {
        killer.restore();
      }
      await experiment(dir, overrides);
      const resumed = snapshot(dir);
      const where = `killed at mutation ${killAt} (${events[killAt]})`;
      // Small diffs first; the weights comparison is last because its diff is unreadable.
      expect({ where, files: resumed.files }).toEqual({ where, files: reference.files });
      expect({ where, metrics: resumed.metrics }).toEqual({ where, metrics: reference.metrics });
      expect({ where, results: resumed.results }).toEqual({ where, results: reference.results });
      expect(resumed.weights).toEqual(reference.weights);
    }
  }, 600_000);
});
