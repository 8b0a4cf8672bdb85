/**
 * The local executor's failure lines: a worker killed by a signal is
 * reported by the signal, not as a made-up exit code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeExit, runLocal } from './local-executor';
import { buildTaskList } from './task-list';
import { exampleGrid } from './test-grid.test-utils';

const list = buildTaskList(exampleGrid());

let runDir: string;
beforeEach(() => {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-local-'));
});
afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));

describe('runLocal', () => {
  it('reports a worker killed with SIGKILL as killed by SIGKILL', async () => {
    const lines: string[] = [];
    // a "worker" that kills itself: sh -c SCRIPT NAME --run ... (the rest are its $@)
    const outcome = await runLocal({
      runDir,
      list,
      parallel: 1,
      command: ['/bin/sh', '-c', 'kill -KILL $$', 'worker'],
      log: (line) => lines.push(line),
    });
    expect(outcome.failed).toHaveLength(list.phases[0].length);
    expect(outcome.failed[0]).toMatch(/\(phase 0 index 0, killed by SIGKILL; see logs\//);
    expect(lines[0]).toMatch(/killed by SIGKILL/);
    expect(lines.join('\n')).not.toMatch(/exit 128/);
  });

  it('reports an exit code as it is', async () => {
    const outcome = await runLocal({
      runDir,
      list,
      parallel: 2,
      command: ['/bin/sh', '-c', 'exit 3', 'worker'],
      log: () => undefined,
    });
    expect(outcome.failed[0]).toMatch(/, exit 3; see logs\//);
    expect(describeExit(null, 'SIGTERM')).toBe('killed by SIGTERM');
    expect(describeExit(1, null)).toBe('exit 1');
  });
});
