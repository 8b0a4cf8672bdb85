/**
 * Types shared by the program and its commands, in their own module so that
 * neither imports the other (`program` registers the commands; the commands
 * and the formatters need only these shapes).
 */
import type { ProjectionReport } from '@sublora/hessian-projection';
import type { QuadraticViolation } from '@sublora/submodularity';

/** Where the program writes, and where it resolves relative file names. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Directory for relative file names (default `process.cwd()`). */
  readonly cwd?: string;
}

/** The report `sublora check --json` prints. */
export interface CheckReport {
  /** Number of singular values. */
  readonly r: number;
  /** True iff `H_ij sigma_i sigma_j >= 0` for every pair `i != j`. */
  readonly submodular: boolean;
  readonly violationCount: number;
  readonly offDiagonalPairs: number;
  /** Every violating pair `i < j` with `H_ij sigma_i sigma_j`, row-major order. */
  readonly violations: readonly QuadraticViolation[];
  /** What the projection `G` removes from `H`. */
  readonly projection: ProjectionReport;
}
