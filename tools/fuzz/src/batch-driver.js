// Runs corpus cases one after another in this process against the built
// CLIs, the way their main.js wires them (process stdout/stderr, exit code
// from runCli), so the corpus costs two node starts instead of one per case.
// Input: argv[2] = JSON file of [{ cli, args, cwd }]. Output: one JSON line
// per finished case on fd 3 ({ k, code, stdout, stderr }), written before
// the next case starts, so a case that hangs is known by where the lines stop.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [entries, cases] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const programs = {};
const runCliOf = (cli) =>
  (programs[cli] ??= require(
    path.join(path.dirname(entries[cli]), cli === 'sublora' ? 'program.js' : 'cli.js'),
  ).runCli);

async function main() {
  const write = { out: process.stdout.write, err: process.stderr.write };
  for (const c of cases) {
    let stdout = '';
    let stderr = '';
    process.stdout.write = (t) => ((stdout += String(t)), true);
    process.stderr.write = (t) => ((stderr += String(t)), true);
    process.chdir(c.cwd);
    let code;
    try {
      code =
        c.cli === 'sublora'
          ? await runCliOf(c.cli)(c.args, { stdout: process.stdout, stderr: process.stderr })
          : await runCliOf(c.cli)(c.args);
    } catch (e) {
      code = -1;
      stderr += `driver: runCli threw: ${e && e.stack}`;
    }
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    fs.writeSync(3, `${JSON.stringify({ k: c.k, code, stdout, stderr })}\n`);
  }
}

void main().then(() => process.exit(0));
