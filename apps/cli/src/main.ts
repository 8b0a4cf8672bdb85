/** Entry point of the `sublora` command. */
import { runCli } from './program';

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
);
