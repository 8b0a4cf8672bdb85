/** Entry point of the `sublora` command. */
import { EXIT_CODES, runCli } from './program';

/** Set once stdout or stderr failed: that failure, not the command's result, is the exit code. */
let outputFailed = false;

/**
 * A failed write to stdout or stderr (a full disk, a closed pipe) arrives as
 * an 'error' event, which unhandled prints a Node stack trace. A closed pipe
 * (EPIPE, `sublora ... | head -c1`) means the reader wants no more: exit
 * quietly with the status of a process that SIGPIPE ended, as Unix tools do.
 * Any other failure is one line on stderr (unless stderr itself failed).
 */
function onWriteError(output: 'stdout' | 'stderr') {
  return (error: NodeJS.ErrnoException): void => {
    if (outputFailed) return;
    outputFailed = true;
    if (error.code === 'EPIPE') process.exit(EXIT_CODES.brokenPipe);
    if (output === 'stdout') {
      const cause = String(error.message).split('\n')[0];
      process.stderr.write(
        `sublora: cannot write to stdout: ${cause}; check that the output file or device is writable and has space\n`,
      );
    }
    process.exit(EXIT_CODES.output);
  };
}
process.stdout.on('error', onWriteError('stdout'));
process.stderr.on('error', onWriteError('stderr'));

void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    if (!outputFailed) process.exitCode = code;
  },
);
