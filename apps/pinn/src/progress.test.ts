import { createProgress, formatDuration } from './progress';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } };
}

describe('progress', () => {
  it('prints a few plain lines without a TTY and finishes once', () => {
    const { chunks, stream } = capture(false);
    let t = 0;
    const p = createProgress({ label: 'pretrain', total: 100, stream, now: () => t, env: {} });
    for (let i = 0; i < 100; i++) {
      t += 10;
      p.update(i, { loss: 1 / (i + 1) });
    }
    p.finish({ loss: 0.01 });
    p.finish();
    expect(chunks.length).toBe(6);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks[1]).toMatch(/^pretrain\s+20% 20\/100 loss=0\.04762 eta 1s\n$/);
    expect(chunks[5]).toMatch(/^pretrain 100% 100\/100 loss=0\.01000 in 1s\n$/);
  });

  it('redraws a bar with ETA on a TTY, throttled, unless CI is set', () => {
    const { chunks, stream } = capture(true);
    let t = 0;
    const p = createProgress({ label: 'fit', total: 10, stream, now: () => t, env: {} });
    for (let i = 1; i <= 10; i++) {
      t += 60;
      p.update(i, { loss: 2e-5 });
    }
    expect(chunks[0]).toBe(`\r\u001b[2K[##${'.'.repeat(22)}] fit  10% 1/10 loss=2.00e-5 eta 1s`);
    expect(chunks.length).toBeLessThan(10);
    const ci = capture(true);
    const q = createProgress({ label: 'fit', total: 10, stream: ci.stream, env: { CI: 'true' } });
    q.update(1);
    expect(ci.chunks[0]).not.toContain('\r');
  });

  it('stays silent when quiet', () => {
    const { chunks, stream } = capture(true);
    const p = createProgress({ label: 'x', total: 3, stream, quiet: true });
    p.update(1);
    p.finish();
    expect(chunks).toEqual([]);
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(184)).toBe('3m04s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('?');
  });
});
