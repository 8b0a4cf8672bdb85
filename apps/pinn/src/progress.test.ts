import { createProgress } from './progress';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (t: string) => chunks.push(t) } };
}

/** Draws a whole run: updates 1..total, then finish. */
function run(p: ReturnType<typeof createProgress>, total: number): void {
  for (let i = 1; i <= total; i++) p.update(i, { loss: 1 / i });
  p.finish({ loss: 0.01 });
}

describe('progress', () => {
  it('prints nothing when the stream is not a TTY', () => {
    const { chunks, stream } = capture(false);
    run(createProgress({ label: 'pretrain', total: 100, stream, env: {} }), 100);
    expect(chunks).toEqual([]);
  });

  it('prints nothing when quiet, even on a TTY', () => {
    const { chunks, stream } = capture(true);
    run(createProgress({ label: 'x', total: 3, stream, quiet: true, env: {} }), 3);
    expect(chunks).toEqual([]);
  });

  it('prints nothing on a TTY when CI is set', () => {
    const { chunks, stream } = capture(true);
    run(createProgress({ label: 'x', total: 3, stream, env: { CI: 'true' } }), 3);
    expect(chunks).toEqual([]);
  });

  it('draws a bar with label, count and values on a TTY, and the final line once', () => {
    const { chunks, stream } = capture(true);
    const p = createProgress({ label: 'fit', total: 10, stream, env: {} });
    p.update(1, { loss: 2e-5 });
    const text = chunks.join('');
    expect(text).toContain(`[==${'-'.repeat(22)}] fit 10% 1/10 loss=2.00e-5 eta `);
    p.finish({ loss: 0.01 });
    const all = chunks.join('');
    expect(all).toMatch(/\[={24}\] fit 100% 10\/10 loss=0\.01000 in \d+s/);
    expect(all.endsWith('\n')).toBe(true);
    const after = chunks.length;
    p.update(3);
    p.finish();
    expect(chunks.length).toBe(after);
  });

  it('an unfinished bar (an interrupted phase) keeps no timer holding the process', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { stream } = capture(true);
    createProgress({ label: 'fit', total: 10, stream, env: {} }).update(2, { loss: 1 });
    expect(timers()).toBe(before);
  });
});
