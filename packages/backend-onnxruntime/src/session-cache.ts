/**
 * Compiled onnxruntime sessions, keyed by graph structure (least recently
 * used first out), with counters so callers and tests can see cache behaviour.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ExecutionProvider, OrtModule } from './engine';

/** Counters of a {@link SessionCache}. */
export interface SessionCacheStats {
  /** Sessions created (each one an ONNX model compiled by onnxruntime). */
  readonly compiles: number;
  /** Requests served by an existing session. */
  readonly hits: number;
  /** Sessions held now. */
  readonly size: number;
  /** Sessions released to stay within capacity. */
  readonly evictions: number;
}

/** Sessions by structural key. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  private compiles = 0;
  private hits = 0;
  private evictions = 0;

  constructor(
    private readonly ort: OrtModule,
    private readonly providers: readonly ExecutionProvider[],
    private readonly capacity: number,
    private readonly sessionOptions: InferenceSession.SessionOptions = {},
  ) {}

  /**
   * The session for `key`, compiling `model()` on a miss with `options()`
   * over the cache's own (a key always comes with the same options: they
   * derive from the graph it names). Concurrent misses on one key share one
   * compile.
   */
  get(
    key: string,
    model: () => Uint8Array,
    options: () => InferenceSession.SessionOptions = () => ({}),
  ): Promise<InferenceSession> {
    const existing = this.sessions.get(key);
    if (existing) {
      this.hits++;
      this.sessions.delete(key);
      this.sessions.set(key, existing);
      return existing;
    }
    this.compiles++;
    const created = this.ort.InferenceSession.create(model(), {
      ...this.sessionOptions,
      ...options(),
      executionProviders: [...this.providers],
    });
    this.sessions.set(key, created);
    // A failed compile must not stay cached.
    created.catch(() => {
      if (this.sessions.get(key) === created) this.sessions.delete(key);
    });
    while (this.sessions.size > this.capacity) {
      // Dropped, not released: a concurrent read may still be running it; the
      // native session is freed when the wrapper is garbage-collected.
      this.sessions.delete(this.sessions.keys().next().value as string);
      this.evictions++;
    }
    return created;
  }

  /** Current counters. */
  stats(): SessionCacheStats {
    return {
      compiles: this.compiles,
      hits: this.hits,
      size: this.sessions.size,
      evictions: this.evictions,
    };
  }

  /** Releases every session (native memory); later requests compile again. */
  async clear(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}
