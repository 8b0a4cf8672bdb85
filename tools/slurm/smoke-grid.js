/* global console, __filename */
// The smoke grid of smoke-array.sh, run through the app's own grid modules:
//   node smoke-grid.js plan RUN_DIR     writes tasks.json and the Slurm files (RUN_DIR/slurm)
//   node smoke-grid.js worker --run RUN_DIR --phase P   (what the generated sbatch scripts run)
//   node smoke-grid.js check RUN_DIR    every task committed, each phase after its inputs
// Tasks do no training: a task writes its checkpoint directory and its shard.
// The worker requires its inputs to be committed already (no wait): that is
// what afterok between the phase arrays must guarantee.
require('ts-node').register({
  transpileOnly: true,
  project: require('node:path').join(__dirname, '../../tsconfig.base.json'),
});
const fs = require('node:fs');
const path = require('node:path');
const grid = require('../../apps/pinn/src/grid');

const [command, ...args] = process.argv.slice(2);

function readList(runDir) {
  return grid.parseTaskList(fs.readFileSync(path.join(runDir, 'tasks.json'), 'utf8'));
}

function plan(runDir) {
  const list = grid.buildTaskList({
    pdes: ['elliptic'],
    seeds: [1, 2, 3],
    targets: [[1, 1]],
    methods: [],
    alternating: [],
    slice: (key) => ({ ...key, smoke: true }),
  });
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'tasks.json'), grid.serializeTaskList(list));
  const slurm = grid.slurmPlan(list, {
    runName: 'smoke',
    runDir,
    parallel: 2,
    resources: { cpus: 1, memoryMiB: 100, timeMinutes: 5 },
    worker: [process.execPath, __filename, 'worker'],
  });
  fs.mkdirSync(path.join(runDir, 'slurm'), { recursive: true });
  for (const f of slurm.files) {
    fs.writeFileSync(path.join(runDir, 'slurm', f.path), f.content, {
      mode: f.executable ? 0o755 : 0o644,
    });
  }
  console.log(`planned ${list.phases.map((p) => p.length).join(' + ')} tasks; ${slurm.submit}`);
}

async function worker() {
  const runDir = args[args.indexOf('--run') + 1];
  const phase = Number(args[args.indexOf('--phase') + 1]);
  const list = readList(runDir);
  const { index } = grid.resolveWorkerIndex(undefined, process.env, list.phases[phase].length);
  const task = grid.taskAt(list, phase, index);
  if (grid.isCommitted(runDir, task)) return console.log(`task ${task.id}: already committed`);
  await grid.waitForInputs(runDir, list, task, { timeoutMs: 0, pollMs: 0 });
  const started = Date.now();
  for (const out of task.outputs.filter((o) => o.startsWith('checkpoints/'))) {
    fs.mkdirSync(path.join(runDir, out), { recursive: true });
    fs.writeFileSync(path.join(runDir, out, 'weights.txt'), `${task.id}\n`);
  }
  grid.writeShard(runDir, task, {
    status: 'ok',
    result: { job: process.env.SLURM_ARRAY_JOB_ID, index, started },
    seconds: (Date.now() - started) / 1000,
  });
  console.log(`task ${task.id} (${task.kind}) done`);
}

function check(runDir) {
  const list = readList(runDir);
  const problems = [];
  const jobs = list.phases.map(() => new Set());
  for (const task of list.phases.flat()) {
    const shard = grid.readShard(runDir, task);
    if (!grid.isCommitted(runDir, task)) {
      problems.push(`task ${task.id} (phase ${task.phase}) not committed`);
    } else jobs[task.phase].add(shard.result.job);
  }
  jobs.forEach((ids, p) => {
    if (ids.size !== 1) problems.push(`phase ${p} ran in ${ids.size} array jobs, expected 1`);
  });
  if (problems.length > 0) {
    console.error(`smoke-grid: ${problems.join('; ')}`);
    process.exit(1);
  }
  const n = list.phases.flat().length;
  console.log(
    `smoke-grid: ${n} tasks committed in ${list.phases.length} arrays: ${jobs.map((s) => [...s][0]).join(', ')}`,
  );
}

const commands = { plan: () => plan(args[0]), worker, check: () => check(args[0]) };
if (!(command in commands)) {
  console.error(
    'usage: smoke-grid.js plan RUN_DIR | worker --run RUN_DIR --phase P | check RUN_DIR',
  );
  process.exit(2);
}
Promise.resolve(commands[command]()).catch((e) => {
  console.error(`smoke-grid: ${e.message}`);
  process.exit(1);
});
