/**
 * The `sublora` program, built as a function of argv and output streams so
 * tests run it in-process and `main.ts` only wires it to `process`.
 *
 * Exit codes: 0 success, 1 bad input (one line on stderr naming the input
 * and the fix), 2 usage error (unknown command or option, missing required
 * option), 3 internal error (a bug: one line, please report it), 4 output
 * not written (stdout failed, e.g. a full disk: one line), 141 stdout is a
 * closed pipe (quiet, the status a process ended by SIGPIPE has).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerBackends } from './commands/backends';
import { registerCheck } from './commands/check';
import { registerMethods } from './commands/methods';
import { registerSelect } from './commands/select';
import type { CliIo } from './types';

/** The process exit codes of `sublora`. */
export const EXIT_CODES = {
  ok: 0,
  badInput: 1,
  usage: 2,
  internal: 3,
  output: 4,
  brokenPipe: 141,
} as const;

/** Error names that mean bad user input (matched by name: errors may cross module instances). */
const INPUT_ERRORS = new Set(['InputError', 'FormatError', 'BackendUnavailable']);

function packageVersion(): string {
  // src/ in tests, dist/ when built: package.json is one level up from both.
  const file = path.join(__dirname, '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Builds the commander program; actions write to `io` and throw on failure. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('sublora')
    .description(
      'Choose which LoRA singular values to keep under a rank budget from sigma, gradient and Hessian (SubLoRA).',
    )
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // commander puts its suggestion on a second line; errors are one line
      outputError: (text, write) => write(`${text.trimEnd().replace(/\n+/g, ' ')}\n`),
    })
    .showSuggestionAfterError(true);
  const cwd = io.cwd ?? process.cwd();
  registerSelect(program, io, cwd);
  registerCheck(program, io, cwd);
  registerMethods(program, io);
  registerBackends(program, io);
  return program;
}

function oneLine(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return (typeof message === 'string' ? message : String(e)).split('\n')[0];
}

/**
 * Library inputs that the commands only take as flags of the same name
 * (`backend` may come from `SUBLORA_BACKEND` or the config file: `select`
 * names its flag itself).
 */
const FLAG_INPUTS = new Set(['sigma', 'grad', 'hessian', 'budget', 'method', 'layers', 'seed']);

/** The error's line, naming the flag (`--hessian: ...`) where the library named its input (`hessian: ...`). */
function inputErrorLine(e: unknown): string {
  const line = oneLine(e);
  const input = (e as { input?: unknown }).input;
  return typeof input === 'string' && FLAG_INPUTS.has(input) && line.startsWith(`${input}: `)
    ? `--${line}`
    : line;
}

/**
 * Runs `sublora` with `argv` (the arguments after the program name) and
 * returns the exit code. Never throws and never prints a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message (or the help / version);
      // `help [command]` ends with 'commander.help' and exit code 0, while help
      // shown because the command is missing has exit code 1: a usage error
      const shown =
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        (e.code === 'commander.help' && e.exitCode === 0);
      return shown ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const name = (e as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && INPUT_ERRORS.has(name)) {
      io.stderr.write(`sublora: ${inputErrorLine(e)}\n`);
      return EXIT_CODES.badInput;
    }
    io.stderr.write(`sublora: internal error: ${oneLine(e)} (please report this)\n`);
    return EXIT_CODES.internal;
  }
}
