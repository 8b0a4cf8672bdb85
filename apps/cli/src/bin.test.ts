import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sublora, tempDir } from './cli.test-utils';

const SHIM = path.join(__dirname, '..', 'bin', 'sublora.js');

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/sublora.js shim', () => {
  it('is an executable node script', () => {
    const text = fs.readFileSync(SHIM, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(SHIM).mode & 0o111).not.toBe(0);
  });

  it('runs ../dist/main.js, or says in one line how to build it', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(SHIM, path.join(dir, 'bin', 'sublora.js'));
    const missing = node([path.join(dir, 'bin', 'sublora.js'), '--version']);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toBe(
      'sublora: the CLI is not built yet; run `npx nx run @sublora/cli:build` (npm ci builds it)\n',
    );
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(
      path.join(dir, 'dist', 'main.js'),
      'process.stdout.write(JSON.stringify(process.argv.slice(2)));',
    );
    expect(node([path.join(dir, 'bin', 'sublora.js'), 'a', '--b']).stdout).toBe('["a","--b"]');
  });

  // Needs the build (npm ci runs it through `prepare`); fails, not skips, without it.
  it('runs the built CLI with the same output as the in-process program', async () => {
    const args = [
      'select',
      '--sigma',
      '[1,2.1]',
      '--grad',
      '[-0.2,0.2]',
      '--hessian',
      '[[2,-2],[-2,2]]',
    ];
    const full = [...args, '--budget', '1', '--method', 'sublora-g', '--json'];
    const built = node([SHIM, ...full]);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(built.stdout).toBe((await sublora(full)).stdout);
    const bad = node([SHIM, ...args, '--budget', '5', '--method', 'sublora-g']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      'sublora: --budget: 5 is outside 0..2 (r = 2 singular values); pass a count in that range\n',
    );
  });

  // Needs the build too. Was Node's 20-line "Unhandled 'error' event" trace.
  (fs.existsSync('/dev/full') ? it : it.skip)(
    'a failed stdout write is one line on stderr and exit 4',
    () => {
      const toy = ['--sigma', '[1,2.1]', '--grad', '[-0.2,0.2]', '--hessian', '[[2,-2],[-2,2]]'];
      for (const args of [
        ['methods'],
        ['select', ...toy, '--budget', '1', '--method', 'exact', '--json'],
      ]) {
        const full = fs.openSync('/dev/full', 'w');
        try {
          const r = spawnSync(process.execPath, [SHIM, ...args], {
            encoding: 'utf8',
            stdio: ['ignore', full, 'pipe'],
            timeout: 30_000,
          });
          expect(r.status).toBe(4);
          expect(r.stderr).toBe(
            'sublora: cannot write to stdout: ENOSPC: no space left on device, write; check that the output file or device is writable and has space\n',
          );
        } finally {
          fs.closeSync(full);
        }
      }
    },
  );

  it('a closed stdout pipe (EPIPE) ends it quietly with the SIGPIPE status 141', async () => {
    const child = spawn(process.execPath, [SHIM, 'methods'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // close the read end before the child writes: its write fails with EPIPE
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ status, stderr }).toEqual({ status: 141, stderr: '' });
  });
});
