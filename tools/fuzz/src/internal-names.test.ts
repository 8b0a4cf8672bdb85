import { internalNames } from './internal-names';

describe('internalNames', () => {
  const none = new Set<string>();

  it('finds the names main printed before this corpus existed', () => {
    expect(internalNames('sublora: removalGains: entry 0 is Infinity', [], none)).toEqual([
      'removalGains',
    ]);
    expect(
      internalNames("backend: 'tfjs:node' is not available: createTfjsBackend: engine", [], none),
    ).toEqual(['createTfjsBackend']);
    expect(internalNames('sublora: internal error: x (please report this)', [], none)).toHaveLength(
      2,
    );
    expect(
      internalNames('Error: boom\n    at run (/repo/apps/cli/src/program.ts:70:5)', [], none),
    ).toEqual(expect.arrayContaining(['/\\n\\s+at /', '/\\.(?:ts|js):\\d+/']));
  });

  it('allows what the user typed and the allowed vocabulary', () => {
    expect(internalNames("unknown option '--fooBar'", ['--fooBar'], none)).toEqual([]);
    expect(
      internalNames('config.network.loraInitScale: must be > 0', [], new Set(['loraInitScale'])),
    ).toEqual([]);
    expect(
      internalNames("npy dtype '<c16' is not supported; use a.astype(numpy.float64)", [], none),
    ).toEqual([]);
  });
});
