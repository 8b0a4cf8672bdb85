/**
 * `sublora check`: is the SubLoRA objective for this Hessian and sigma
 * submodular (Theorem 2), and what would the projection remove?
 */
import type { Command } from 'commander';
import { projectHessian } from '@sublora/hessian-projection';
import { modelOverflowError } from '@sublora/rank-determination';
import { checkQuadraticSubmodularity } from '@sublora/submodularity';
import { assertSymmetric } from '@sublora/tensor';
import { formatCheckReport } from '../format-table';
import { loadInput, toMatrix, toSigma } from '../inputs';
import { writeJson } from '../output';
import type { CheckReport, CliIo } from '../types';

/** Loads and checks the inputs, then builds the report. */
export function runCheck(options: { sigma: string; hessian: string }, cwd: string): CheckReport {
  const sigma = toSigma(loadInput('--sigma', options.sigma, cwd));
  const hessianInput = loadInput('--hessian', options.hessian, cwd);
  const hessian = toMatrix(hessianInput, sigma.length);
  assertSymmetric(hessianInput.label, hessian);
  const check = checkQuadraticSubmodularity(hessian, sigma);
  const { report } = projectHessian(hessian, sigma);
  // finite but huge inputs (sigma 1e200, H 1e300) overflow the printed terms:
  // refused as select refuses them, not printed as Infinity, NaN or null
  const overflow = check.violations.find((v) => !Number.isFinite(v.value));
  if (overflow !== undefined) {
    throw modelOverflowError(
      `H_ij sigma_i sigma_j of pair (${overflow.i}, ${overflow.j}) is ${overflow.value}`,
      'sigma',
    );
  }
  // the projection sums the squares again over a scaled H when they overflow,
  // so only a distance beyond the float64 range itself is left to refuse
  if (!Number.isFinite(report.frobeniusDistance)) {
    throw modelOverflowError(`||H - G||_F is ${report.frobeniusDistance}`, 'sigma');
  }
  return {
    r: sigma.length,
    submodular: check.submodular,
    violationCount: check.violationCount,
    offDiagonalPairs: check.offDiagonalPairs,
    violations: check.violations,
    projection: report,
  };
}

/** Adds the `check` command to `program`. */
export function registerCheck(program: Command, io: CliIo, cwd: string): void {
  program
    .command('check')
    .description(
      'Report whether the SubLoRA objective is submodular for this Hessian and sigma (Theorem 2) and what the projection removes',
    )
    .requiredOption(
      '--hessian <X>',
      'Hessian d2L/dsigma2, r x r symmetric (JSON, .json, .npy, file.safetensors:name)',
    )
    .requiredOption(
      '--sigma <X>',
      'singular values, length r (JSON, .json, .npy, file.safetensors:name)',
    )
    .option('--json', 'print the report as one JSON object')
    .action((options: { sigma: string; hessian: string; json?: boolean }) => {
      const report = runCheck(options, cwd);
      if (options.json) writeJson(io, report);
      else io.stdout.write(formatCheckReport(report));
    });
}
