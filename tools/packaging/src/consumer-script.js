/* global console */
// Runs inside a temporary consumer project (plain CommonJS, no TypeScript):
// the installed packages compute the Hessian of a small loss w.r.t. sigma on
// the backend named by argv[2] (or the default), select under a budget, and
// print what they did as JSON. Required as a module, it only exports
// `compute`, which the test runs in the workspace.
const fs = require('node:fs');
const path = require('node:path');
const {
  evaluateToArrays,
  hessian,
  grad,
  mul,
  spec,
  sum,
  tanh,
  trace,
  matmul,
  constant,
} = require('@sublora/autodiff');
const { listBackends, resolveBackend } = require('@sublora/backends');
const { determineRanks } = require('@sublora/rank-determination');

/**
 * The consumer's computation on `backend`: the gradient and Hessian of
 * L(s) = sum(tanh(A s)^2) (a fixed 6 x 4 matrix A) and the sublora-g
 * selection of 2 of its 4 values. The packed-consumer test runs the same
 * function in the workspace for the expected values.
 */
async function compute(backend) {
  const a = Float64Array.from({ length: 24 }, (_, i) => Math.sin(i + 1));
  const loss = trace([spec('s', [4, 1])], (s) => {
    const y = tanh(matmul(constant(a, [6, 4]), s));
    return sum(mul(y, y));
  });
  const sigma = Float64Array.from([0.9, -0.4, 0.25, 0.1]);
  const [g] = await evaluateToArrays(grad(loss, { wrt: 0 }), backend, [sigma]);
  const [h] = await evaluateToArrays(hessian(loss, { wrt: 0 }), backend, [sigma]);
  const result = await determineRanks({
    sigma,
    grad: g,
    hessian: { data: h, size: 4 },
    budget: 2,
    method: 'sublora-g',
  });
  return { grad: Array.from(g), hessian: Array.from(h), kept: [...result.kept] };
}

async function main() {
  const backend = await resolveBackend(process.argv[2]);
  const computed = await compute(backend);
  const installed = (name) => fs.existsSync(path.join(process.cwd(), 'node_modules', name));
  const rows = await listBackends();
  console.log(
    JSON.stringify({
      backend: backend.name,
      ...computed,
      available: rows.filter((r) => r.available).map((r) => r.name),
      install: Object.fromEntries(rows.filter((r) => !r.available).map((r) => [r.name, r.install])),
      tfjsOnDisk: installed('@tensorflow') || installed('@sublora/backend-tfjs'),
      onnxruntimeOnDisk: installed('onnxruntime-node'),
    }),
  );
}

module.exports = { compute };

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
