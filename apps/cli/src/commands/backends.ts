/**
 * `sublora backends`: which tensor backends load on this machine, why the
 * others do not, and the command that installs each missing one.
 */
import type { Command } from 'commander';
import { listBackends, type BackendInfo } from '@sublora/backends';
import { writeJson } from '../output';
import type { CliIo } from '../types';

/** The tfjs engines tried, as the tfjs backend's `describe()` reports them. */
interface EngineAttempts {
  readonly engine?: string;
  readonly device?: string;
  readonly attempts?: readonly { engine: string; ok: boolean; reason?: string }[];
}

/** One block per backend: name and status, then the engine, the reason and the install command. */
export function formatBackends(rows: readonly BackendInfo[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  return rows
    .map((row) => {
      const head = `${row.name.padEnd(width)}  ${row.available ? 'available' : 'not available'}`;
      const lines = [head];
      const described = (row.description ?? {}) as EngineAttempts;
      if (row.available && described.engine) {
        lines.push(`  engine ${described.engine}: ${described.device ?? ''}`.trimEnd());
        for (const a of described.attempts ?? []) {
          if (!a.ok && a.reason) lines.push(`  skipped ${a.engine}: ${a.reason}`);
        }
      }
      if (row.available && row.dtypes) lines.push(`  dtypes ${row.dtypes.join(', ')}`);
      if (row.reason) lines.push(`  why: ${row.reason}`);
      if (row.install) lines.push(`  install: ${row.install}`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

/** Adds the `backends` command to `program`. */
export function registerBackends(program: Command, io: CliIo): void {
  program
    .command('backends')
    .description(
      'List the tensor backends: which load here, why the others do not, and how to install them',
    )
    .option('--json', 'print the list as one JSON array')
    .action(async (options: { json?: boolean }) => {
      const rows = await listBackends();
      if (options.json) writeJson(io, rows);
      else io.stdout.write(formatBackends(rows));
    });
}
