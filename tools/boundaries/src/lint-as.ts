/**
 * Lints a source text as if it were the file `at` of the repository, with
 * the repository's eslint.config.mjs, through ESLint's Node API. It runs in
 * a child Node process because the flat config is an ES module, which jest's
 * module sandbox cannot import without `--experimental-vm-modules`.
 */
import { execFileSync } from 'node:child_process';

/** One ESLint message (the fields the tests read). */
export interface LintMessage {
  readonly ruleId: string | null;
  readonly severity: number;
  readonly message: string;
}

const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const [cwd, filePath] = process.argv.slice(1);
let text = '';
process.stdin.on('data', (d) => (text += d));
process.stdin.on('end', async () => {
  const eslint = new ESLint({ cwd });
  const [result] = await eslint.lintText(text, { filePath });
  process.stdout.write(JSON.stringify(result.messages));
});
`;

/** The messages ESLint gives for `text` placed at `at` (relative to `root`). */
export function lintAs(root: string, text: string, at: string): LintMessage[] {
  const out = execFileSync(process.execPath, ['-e', LINT_SCRIPT, root, `${root}/${at}`], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as LintMessage[]).map(({ ruleId, severity, message }) => ({
    ruleId,
    severity,
    message,
  }));
}

/**
 * Recomputes Nx's cached project graph, which the boundary rule reads (it
 * skips itself, with a warning, when there is none; a stale one has stale tags).
 */
export function refreshProjectGraph(root: string): void {
  execFileSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: 'ignore',
  });
}
