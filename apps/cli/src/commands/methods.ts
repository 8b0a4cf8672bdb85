/** `sublora methods`: the rank-determination methods, one line each. */
import type { Command } from 'commander';
import { METHOD_DESCRIPTIONS, METHODS } from '@sublora/rank-determination';
import { writeJson } from '../output';
import type { CliIo } from '../types';

/** One line per method: name, paper name, rule, cost, and whether `--seed` matters. */
export function formatMethods(): string {
  const width = Math.max(...METHODS.map((m) => m.length));
  return METHODS.map((m) => {
    const d = METHOD_DESCRIPTIONS[m];
    const seeded = d.randomized ? ', uses --seed' : '';
    return `${m.padEnd(width)}  ${d.paperName}: ${d.rule} [${d.cost}${seeded}]\n`;
  }).join('');
}

/** Adds the `methods` command to `program`. */
export function registerMethods(program: Command, io: CliIo): void {
  program
    .command('methods')
    .description('List the rank-determination methods with one-line descriptions')
    .option('--json', 'print { name: description } as one JSON object')
    .action((options: { json?: boolean }) => {
      if (options.json) writeJson(io, METHOD_DESCRIPTIONS);
      else io.stdout.write(formatMethods());
    });
}
