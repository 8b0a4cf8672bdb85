/**
 * The `sublora-pinn` command line: every stage of the experiments as a
 * subcommand over one configuration (preset + overrides), writing under
 * `runs/<name>/`. Errors print one line (`sublora-pinn: ...`; the stack too
 * when SUBLORA_DEBUG is set) and exit 1; usage errors (unknown command or
 * option, missing option value) print commander's one line and exit 2, as
 * `sublora` does; Ctrl-C checkpoints the running phase and exits 130.
 */
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { type ConfigOverrides, type PinnConfig, parseOverride, resolveConfig } from './config';
import { chooseBackend } from './choose-backend';
import { exportCheckpoint } from './export';
import { describeFileSystemError } from './fs-errors';
import { openMetrics } from './metrics';
import { PDE_NAMES, type PdeName } from './pdes';
import {
  Interrupted,
  type RunContext,
  alternatingMethods,
  ensureFinetuned,
  ensurePretrained,
  runAlternating,
  runDetermination,
} from './stages';
import { writeReport } from './report';
import { compareRuns } from './compare';
import { emptyResults, readResults, writeResults } from './results';
import { assertCheckpointsMatch } from './checkpoint-keys';
import { lockRunDirectory } from './run-lock';
import { InputError } from '@sublora/tensor';
import writeFileAtomic from 'write-file-atomic';
import {
  type ExecutorPlan,
  type TaskList,
  buildTaskList,
  kubernetesPlan,
  kubernetesRunName,
  resolveWorkerIndex,
  slurmPlan,
  taskAt,
} from './grid';
import { interruptWorkers, runLocal } from './grid/local-executor';
import { describeGaps, mergeRun, pdesLeftOut } from './grid/merge';
import { gridOf } from './grid/config-grid';
import { loadRun, writeTaskList } from './grid/run-dir';
import { type WorkerContext, runTask } from './grid/worker';

/** Options every subcommand accepts. */
interface CommonOptions {
  preset: string;
  pde?: string;
  set: string[];
  config?: string;
  backend?: string;
  out: string;
  name?: string;
  threads?: string;
  quiet?: boolean;
}

/** Where the CLI writes and how it exits; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const DEFAULT_IO: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

let stopRequested = false;
/** Releases the run directory's lock; set while a command holds it. */
let releaseLock: (() => Promise<void>) | undefined;

/** Where `experiment` runs its tasks. */
const EXECUTORS = ['local', 'slurm', 'k8s'] as const;
type Executor = (typeof EXECUTORS)[number];

/**
 * How worker processes start: the way this process started when it is the
 * command itself (so a run from the TypeScript sources, as in the tests, has
 * workers from the same sources), else this package's bin.
 */
function workerCommand(): string[] {
  const entry = process.argv[1] ?? '';
  return /(main\.[jt]s|sublora-pinn(\.js)?)$/.test(entry)
    ? [process.execPath, ...process.execArgv, entry, 'worker']
    : [process.execPath, path.join(__dirname, '..', 'bin', 'sublora-pinn.js'), 'worker'];
}

function parseExecutor(text: string): Executor {
  if (!(EXECUTORS as readonly string[]).includes(text))
    throw new InputError(
      '--executor',
      `unknown executor '${text}'; use one of ${EXECUTORS.join(', ')}`,
    );
  return text as Executor;
}

const threadsContext = (threads: number | undefined) => (threads === undefined ? {} : { threads });

/** `--threads`: the CPU threads the backend's engine may use (onnxruntime's intra-op pool). */
function parseThreads(text: string | undefined): number | undefined {
  return text === undefined
    ? undefined
    : parseWholeNumber('--threads', text, '; give the CPU threads the backend may use, e.g. 2');
}

/**
 * The threads each of `parallel` local workers gets: `--threads` when given,
 * else an equal part of this process's CPUs. onnxruntime's threads spin while
 * they wait, so workers that together ask for more threads than there are
 * CPUs slow each other down (the w = 256 Hessian 1.7x, two processes of two threads on two CPUs).
 */
export function workerThreads(threads: number | undefined, parallel: number): number {
  return threads ?? Math.max(1, Math.floor(availableParallelism() / parallel));
}

/** A flag's value as a whole number >= 1, or a one-line error naming the flag (`fix` appended). */
function parseWholeNumber(flag: string, text: string, fix = ''): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(flag, `'${text}' is not a whole number >= 1${fix}`);
  return n;
}

/**
 * The Slurm scripts or Kubernetes manifests of a planned run (written by
 * {@link writeClusterFiles}); throws, writing nothing, on a bad setting.
 */
function clusterPlan(
  runDir: string,
  config: PinnConfig,
  list: TaskList,
  executor: Exclude<Executor, 'local'>,
  parallel: number,
): ExecutorPlan {
  const g = config.grid;
  const resources = {
    cpus: g.cpus,
    memoryMiB: g.memoryMiB,
    timeMinutes: g.timeMinutes,
    gpus: g.gpus,
  };
  return executor === 'slurm'
    ? slurmPlan(list, {
        runName: config.name,
        runDir: path.resolve(runDir),
        parallel,
        resources,
        ...(g.partition ? { partition: g.partition } : {}),
        ...(g.account ? { account: g.account } : {}),
      })
    : kubernetesPlan(list, {
        // Job names must be DNS labels; the pods' --run is the run directory's real name
        runName: kubernetesRunName(config.name),
        runDirName: path.basename(runDir),
        image: g.image,
        claimName: g.claimName,
        mountPath: g.mountPath,
        parallel,
        resources,
      });
}

/** Writes a {@link clusterPlan} into `<run>/<executor>/`; returns that directory. */
function writeClusterFiles(
  runDir: string,
  executor: Exclude<Executor, 'local'>,
  plan: ExecutorPlan,
): string {
  const dir = path.join(runDir, executor);
  for (const file of plan.files) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomic.sync(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
  }
  return dir;
}

function submitCommand(dir: string, executor: Exclude<Executor, 'local'>): string {
  return executor === 'slurm'
    ? `bash ${path.join(dir, 'submit.sh')}`
    : `bash ${path.join(dir, 'apply.sh')}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function loadOverrides(options: CommonOptions): ConfigOverrides {
  let overrides: Record<string, unknown> = {};
  if (options.config) {
    let text: string;
    try {
      // stat first: reading a FIFO or a device named as the config would block or never end
      if (!fs.statSync(options.config).isFile()) {
        throw new InputError(
          '--config',
          `${options.config} is not a regular file; pass a JSON file with configuration keys`,
        );
      }
      text = fs.readFileSync(options.config, 'utf8');
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(
        '--config',
        `cannot read ${options.config}; pass a JSON file with configuration keys`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new InputError(
        '--config',
        `${options.config} is not valid JSON (${(e as Error).message.split('\n')[0]})`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InputError(
        '--config',
        `${options.config} holds ${Array.isArray(parsed) ? 'an array' : String(parsed)}, not an object; write { "network.width": 16, ... }`,
      );
    }
    // A run's config.json works as --config: its record of the resolved backend is not a key.
    const { resolvedBackend: _, ...keys } = parsed as Record<string, unknown>;
    overrides = keys;
  }
  for (const item of options.set) {
    const [key, value] = parseOverride(item);
    overrides[key] = value;
  }
  if (options.name) overrides.name = options.name;
  if (options.backend) overrides.backend = options.backend;
  return overrides;
}

function pdesOf(options: CommonOptions, config: PinnConfig): PdeName[] {
  if (!options.pde) return [config.pde];
  if (options.pde === 'all') return [...PDE_NAMES];
  if (!(PDE_NAMES as readonly string[]).includes(options.pde))
    throw new InputError(
      '--pde',
      `unknown PDE '${options.pde}'; use one of ${PDE_NAMES.join(', ')} or all`,
    );
  return [options.pde as PdeName];
}

function diffKeys(a: unknown, b: unknown, prefix = ''): string[] {
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null &&
    !Array.isArray(a)
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      diffKeys(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        prefix ? `${prefix}.${k}` : k,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

/**
 * Resolves the configuration and its task list, locks the run directory and
 * records the configuration in it. `prepare` checks whatever else the
 * command needs (cluster files) first: everything that can refuse the
 * command runs before anything in the run directory is written.
 */
async function context<T = undefined>(
  options: CommonOptions,
  io: CliIo,
  prepare?: (config: PinnConfig, list: TaskList, outDir: string) => T,
): Promise<{
  ctx: RunContext;
  pdes: PdeName[];
  list: TaskList;
  threads: number | undefined;
  prepared: T;
}> {
  const threads = parseThreads(options.threads);
  const overrides = loadOverrides(options);
  const config = resolveConfig(options.preset, overrides);
  const pdes = pdesOf(options, config);
  // Every command runs (a part of) this task list: duplicate seeds, targets or methods are refused here.
  const list = buildTaskList(gridOf(config, pdes));
  const prepared = prepare?.(config, list, path.join(options.out, config.name)) as T;
  const { backend, reason } = await chooseBackend(config.backend, threadsContext(threads));
  const outDir = path.join(options.out, config.name);
  releaseLock = await lockRunDirectory(outDir, (err) => {
    io.stderr(`sublora-pinn: lost the lock on ${outDir} (${err.message}); stopping\n`);
    process.exit(1);
  });
  // Refuse before anything in the run directory changes.
  assertCheckpointsMatch(outDir, config);
  const configFile = path.join(outDir, 'config.json');
  const results = readResults(outDir);
  if (fs.existsSync(configFile)) {
    let stored: Record<string, unknown>;
    try {
      stored = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
      if (stored === null || typeof stored !== 'object' || Array.isArray(stored))
        throw new Error('not a JSON object');
    } catch (e) {
      throw new InputError(
        configFile,
        `is not a valid configuration (${(e as Error).message.split('\n')[0]}); restore it from a backup, or delete ${outDir} to start the run over`,
      );
    }
    const { resolvedBackend: _, ...previous } = stored;
    const changed = diffKeys(previous, config);
    if (changed.length > 0) {
      io.stderr(
        `note: ${outDir} was started with a different configuration (${changed.join(', ')}); checkpoints do not depend on these keys and are reused, use --name to start a separate run\n`,
      );
    }
    // Measurements taken under other evaluation or determination settings are redone.
    if (changed.some((k) => k.startsWith('evaluation.'))) Object.assign(results, emptyResults());
    else if (changed.some((k) => k.startsWith('determination.'))) results.determination = {};
  }
  // The backend `auto` resolved to, and why, beside the configuration that asked for it.
  const resolvedBackend = { name: backend.name, reason };
  writeFileAtomic.sync(configFile, `${JSON.stringify({ ...config, resolvedBackend }, null, 2)}\n`);
  results.config = config;
  results.backend = backend.name;
  writeResults(outDir, results);
  const ctx: RunContext = {
    config,
    outDir,
    backend,
    metrics: openMetrics(outDir),
    results,
    log: (line) => io.stderr(`${line}\n`),
    quiet: Boolean(options.quiet),
    shouldStop: () => stopRequested,
  };
  io.stderr(
    `sublora-pinn: run '${config.name}' (preset ${config.preset}) on backend '${backend.name}' (${reason}), writing to ${outDir}\n`,
  );
  return { ctx, pdes, list, threads, prepared };
}

function addCommon(cmd: Command): Command {
  return cmd
    .option('--preset <name>', 'configuration preset: smoke, small, medium or paper', 'small')
    .option('--pde <name>', `PDE: ${PDE_NAMES.join(', ')} or all (default: the preset's)`)
    .option(
      '--set <key=value>',
      'override a configuration key (repeatable), e.g. --set network.width=16',
      collect,
      [],
    )
    .option('--config <file>', 'JSON file of configuration overrides')
    .option(
      '--backend <name>',
      'backend: reference, tfjs, tfjs:wasm, onnxruntime (default: SUBLORA_BACKEND, else onnxruntime when it loads, else reference)',
    )
    .option('--out <dir>', 'parent directory of run directories', 'runs')
    .option('--name <name>', 'run name (default: the preset name)')
    .option(
      '--threads <n>',
      "CPU threads for the engine's big graphs or matrix products, small ones run on one (default: all CPUs; a local experiment with --parallel P gives each worker 1/P of them)",
    )
    .option('--quiet', 'no progress output');
}

async function forEach(
  ctx: RunContext,
  pdes: PdeName[],
  fn: (pde: PdeName, seed: number, lambda: readonly [number, number]) => Promise<void>,
): Promise<void> {
  for (const pde of pdes)
    for (const seed of ctx.config.seeds)
      for (const lambda of ctx.config.targetLambdas)
        await fn(pde, seed, lambda as readonly [number, number]);
}

/** Builds the command tree. */
export function buildProgram(io: CliIo = DEFAULT_IO): Command {
  const program = new Command('sublora-pinn')
    .description(
      'SubLoRA PINN experiments: pretrain, LoRA fine-tune, rank determination, alternating training, reports',
    )
    .showSuggestionAfterError(true)
    // set before the subcommands are added, which inherit it: a subcommand's
    // usage error must reach runCli (exit 2), not call process.exit(1) itself
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // commander puts its suggestion on a second line; errors are one line
      outputError: (text, write) => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`),
    });

  addCommon(
    program
      .command('pretrain')
      .description('pretrain the full network at the pretraining lambda (each seed)'),
  ).action(async (o: CommonOptions) => {
    const { ctx, pdes } = await context(o, io);
    for (const pde of pdes)
      for (const seed of ctx.config.seeds) await ensurePretrained(ctx, pde, seed);
    io.stdout(`${JSON.stringify(ctx.results.pretrain, null, 1)}\n`);
  });

  addCommon(
    program
      .command('finetune')
      .description('LoRA fine-tune to each target lambda (pretrains first if needed)'),
  ).action(async (o: CommonOptions) => {
    const { ctx, pdes } = await context(o, io);
    await forEach(
      ctx,
      pdes,
      async (pde, seed, lambda) => void (await ensureFinetuned(ctx, pde, seed, lambda)),
    );
    io.stdout(`${JSON.stringify(ctx.results.finetune, null, 1)}\n`);
  });

  addCommon(
    program
      .command('determine')
      .description('training-free rank determination with every method and budget'),
  ).action(async (o: CommonOptions) => {
    const { ctx, pdes } = await context(o, io);
    await forEach(
      ctx,
      pdes,
      async (pde, seed, lambda) => void (await runDetermination(ctx, pde, seed, lambda)),
    );
    io.stdout(`wrote ${path.join(ctx.outDir, 'results.json')}\n`);
  });

  addCommon(
    program
      .command('alternate')
      .description('alternating training and rank determination (Alg. 4) per method'),
  ).action(async (o: CommonOptions) => {
    const { ctx, pdes } = await context(o, io);
    await forEach(ctx, pdes, async (pde, seed, lambda) => {
      for (const method of alternatingMethods(ctx.config))
        await runAlternating(ctx, pde, seed, lambda, method);
    });
    io.stdout(`wrote ${path.join(ctx.outDir, 'results.json')}\n`);
  });

  addCommon(
    program
      .command('experiment')
      .description(
        'everything as a task list: pretrain, fine-tune, determination, alternating, then merge into the report and plots',
      ),
  )
    .option('--executor <name>', `where tasks run: ${EXECUTORS.join(', ')}`, 'local')
    .option('--parallel <n>', 'workers at once (default: config grid.parallel)')
    .action(async (o: CommonOptions & { executor: string; parallel?: string }) => {
      // parsed before context(), which creates the run directory: bad flags change nothing
      const executor = parseExecutor(o.executor);
      const parallelFlag =
        o.parallel === undefined ? undefined : parseWholeNumber('--parallel', o.parallel);
      // context() parses --threads first of all, before the run directory exists; the task
      // list and cluster files are built (and refused) before it writes anything
      const {
        ctx,
        pdes,
        list,
        threads: threadsFlag,
        prepared: { cluster, parallel },
      } = await context(o, io, (config, list, outDir) => {
        const parallel = parallelFlag ?? config.grid.parallel;
        const cluster =
          executor === 'local' ? undefined : clusterPlan(outDir, config, list, executor, parallel);
        return { cluster, parallel };
      });
      const started = Date.now();
      writeTaskList(ctx.outDir, list);
      if (executor !== 'local' && cluster) {
        const dir = writeClusterFiles(ctx.outDir, executor, cluster);
        io.stdout(
          `wrote tasks.json (${list.phases.flat().length} tasks in ${list.phases.length} phases) and ${executor} files in ${dir}; submit with: ${submitCommand(dir, executor)}\n`,
        );
        return;
      }
      const workerCtx: WorkerContext = {
        runDir: ctx.outDir,
        list,
        config: ctx.config,
        backend: ctx.backend,
        log: ctx.log,
        wait: { timeoutMs: ctx.config.grid.waitMinutes * 60_000, pollMs: 1000 },
        ...(ctx.quiet ? { quiet: true } : {}),
        shouldStop: () => stopRequested,
      };
      if (parallel === 1) {
        // One worker: tasks in this process, through the same code as worker processes.
        for (const task of list.phases.flat()) await runTask(workerCtx, task);
      } else {
        const outcome = await runLocal({
          runDir: ctx.outDir,
          list,
          parallel,
          command: workerCommand(),
          extraArgs: [
            '--quiet',
            '--backend',
            ctx.backend.name,
            '--threads',
            String(workerThreads(threadsFlag, parallel)),
          ],
          log: ctx.log,
          shouldStop: () => stopRequested,
        });
        if (outcome.stopped) throw new Interrupted('experiment');
        if (outcome.failed.length > 0)
          throw new Error(
            `${outcome.failed.length} task(s) failed, first: ${outcome.failed[0]}; rerun the same command to retry them`,
          );
      }
      // the merge rebuilds results.json from this plan's PDEs: say so when others held results
      const dropped = pdesLeftOut(ctx.results, pdes);
      const merged = await mergeRun(ctx.outDir, list, {
        config: ctx.config,
        backend: ctx.backend.name,
      });
      if (dropped.length > 0)
        io.stderr(
          `note: results.json now holds ${pdes.join(', ')} only; the results of ${dropped.join(', ')} stay in ${path.join(ctx.outDir, 'shards')}: rerun with --pde all to merge them back\n`,
        );
      io.stdout(
        `wrote ${merged.report} and ${merged.plots.length} plot files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });

  addCommon(
    program
      .command('plan')
      .description('write runs/<name>/tasks.json: every task of the experiment with a stable id'),
  ).action(async (o: CommonOptions) => {
    const { ctx, list } = await context(o, io);
    writeTaskList(ctx.outDir, list);
    io.stdout(
      `wrote ${path.join(ctx.outDir, 'tasks.json')}: ${list.phases.map((p, i) => `phase ${i}: ${p.length}`).join(', ')} tasks\n`,
    );
  });

  program
    .command('worker')
    .description(
      'run one task of a planned run (index from --index, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)',
    )
    .requiredOption('--run <dir>', 'the run directory (holds config.json and tasks.json)')
    .requiredOption('--phase <p>', 'the phase of the task')
    .option('--index <i>', 'the task within its phase')
    .option('--backend <name>', "backend (default: the configuration's)")
    .option(
      '--threads <n>',
      "CPU threads for the engine's big graphs or matrix products (default: all CPUs)",
    )
    .option('--quiet', 'no progress output')
    .action(
      async (o: {
        run: string;
        phase: string;
        index?: string;
        backend?: string;
        threads?: string;
        quiet?: boolean;
      }) => {
        const threads = parseThreads(o.threads);
        const { config, list } = loadRun(o.run);
        // digits only, as --index: Number() would take '', ' ', '0x0' and '1e0'
        const phase = /^[0-9]+$/.test(o.phase) ? Number(o.phase) : NaN;
        if (!Number.isInteger(phase) || phase < 0 || phase >= list.phases.length)
          throw new InputError(
            '--phase',
            `'${o.phase}' is not a phase of ${o.run}/tasks.json; use 0..${list.phases.length - 1}`,
          );
        const { index, source } = resolveWorkerIndex(
          o.index,
          process.env,
          list.phases[phase].length,
        );
        const task = taskAt(list, phase, index);
        const { backend, reason } = await chooseBackend(
          o.backend ?? config.backend,
          threadsContext(threads),
        );
        io.stderr(
          `sublora-pinn: worker: ${task.kind} task ${task.id} (phase ${phase}, index ${index} from ${source}) on backend '${backend.name}' (${reason})\n`,
        );
        const outcome = await runTask(
          {
            runDir: o.run,
            list,
            config,
            backend,
            log: (line) => io.stderr(`${line}\n`),
            wait: { timeoutMs: config.grid.waitMinutes * 60_000, pollMs: 2000 },
            quiet: Boolean(o.quiet),
            shouldStop: () => stopRequested,
          },
          task,
        );
        io.stdout(`${outcome} ${task.kind} ${task.id}\n`);
      },
    );

  program
    .command('merge')
    .description('build results.json, metrics.jsonl, report.md and plots from the shards of a run')
    .requiredOption('--run <dir>', 'the run directory')
    .action(async (o: { run: string }) => {
      const { config, list } = loadRun(o.run);
      const stored = readResults(o.run);
      const merged = await mergeRun(o.run, list, { config, backend: stored.backend });
      const total = list.phases.flat().length;
      io.stdout(`merged ${merged.done} of ${total} tasks into ${merged.report}\n`);
      const gaps = describeGaps(merged);
      for (const line of gaps) io.stderr(`sublora-pinn: ${line}\n`);
      if (gaps.length > 0)
        throw new InputError(
          '--run',
          `${merged.missing.length} task(s) missing and ${merged.failed.length} failed; run their workers (or 'experiment' again) and merge again`,
        );
    });

  program
    .command('report')
    .description('rebuild report.md and the plots from runs/<name>/results.json')
    .option('--out <dir>', 'parent directory of run directories', 'runs')
    .option('--name <name>', 'run name', 'small')
    .action(async (o: { out: string; name: string }) => {
      const dir = path.join(o.out, o.name);
      if (!fs.existsSync(path.join(dir, 'results.json')))
        throw new InputError(
          '--name',
          `no results in ${dir}; run 'sublora-pinn experiment' first or pass --out/--name of an existing run`,
        );
      const { report, plots } = await writeReport(dir, readResults(dir));
      io.stdout(`wrote ${report} and ${plots.length} plot files\n`);
    });

  program
    .command('compare')
    .description(
      'one table of several runs: final rank per layer, loss, error, time of each adapter and alternating method',
    )
    .argument('<dirs...>', 'run directories (runs/<name>), each with a results.json')
    .option('--file <path>', 'also write the table to this Markdown file')
    .action((dirs: string[], o: { file?: string }) => {
      const runs = dirs.map((dir) => {
        if (!fs.existsSync(path.join(dir, 'results.json')))
          throw new InputError(
            'compare',
            `no results.json in ${dir}; pass run directories (runs/<name>) of finished or merged runs`,
          );
        return { name: path.basename(path.resolve(dir)), results: readResults(dir) };
      });
      const text = compareRuns(runs);
      if (o.file) {
        fs.writeFileSync(o.file, `${text}\n`);
        io.stdout(`wrote ${o.file}\n`);
      } else io.stdout(`${text}\n`);
    });

  addCommon(
    program
      .command('export')
      .description(
        'write weights and sigma/grad/hessian of a fine-tuned checkpoint as safetensors',
      ),
  )
    .requiredOption('--file <path>', 'output .safetensors file')
    .option('--lambda <l1,l2>', 'target lambda (default: the first target)')
    .option('--seed <n>', 'seed (default: the first seed)')
    .option('--merge', 'write merged deployment weights instead of base + LoRA factors')
    .action(
      async (
        o: CommonOptions & { file: string; lambda?: string; seed?: string; merge?: boolean },
      ) => {
        // parsed before context(), which creates the run directory: bad flags change nothing
        const lambdaFlag = o.lambda === undefined ? undefined : parseLambda(o.lambda);
        const seedFlag = o.seed === undefined ? undefined : Number(o.seed);
        if (seedFlag !== undefined && (!Number.isInteger(seedFlag) || seedFlag < 0))
          throw new InputError('--seed', `'${o.seed}' is not a non-negative integer`);
        const { ctx, pdes } = await context(o, io);
        const lambda = lambdaFlag ?? (ctx.config.targetLambdas[0] as readonly [number, number]);
        const seed = seedFlag ?? ctx.config.seeds[0];
        const names = await exportCheckpoint(ctx, {
          pde: pdes[0],
          seed,
          lambda,
          file: o.file,
          merge: Boolean(o.merge),
        });
        io.stdout(`wrote ${o.file}: ${names.join(', ')}\n`);
      },
    );

  return program;
}

function parseLambda(text: string): readonly [number, number] {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite))
    throw new InputError('--lambda', `'${text}' is not two numbers; pass e.g. --lambda 1,5`);
  return [parts[0], parts[1]];
}

/** Exit code of a usage error (unknown command or option), the same as `sublora`'s. */
export const EXIT_USAGE = 2;

/** Runs the CLI; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = DEFAULT_IO): Promise<number> {
  const program = buildProgram(io);
  stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    interruptWorkers();
    io.stderr(
      '\nsublora-pinn: stopping after the current epoch (checkpointing); press Ctrl-C again to quit at once\n',
    );
  };
  process.on('SIGINT', onSigint);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) {
      // commander printed the help, the version or its one-line usage error
      const shown = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
      return shown ? 0 : EXIT_USAGE;
    }
    if (e instanceof Interrupted) {
      io.stderr(`sublora-pinn: ${err.message}\n`);
      return 130;
    }
    io.stderr(`sublora-pinn: ${describeFileSystemError(e) ?? err.message.split('\n')[0]}\n`);
    if (process.env.SUBLORA_DEBUG) io.stderr(`${err.stack ?? ''}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await releaseLock?.();
    releaseLock = undefined;
  }
}
