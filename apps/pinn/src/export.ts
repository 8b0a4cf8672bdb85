/**
 * `sublora-pinn export`: a fine-tuned checkpoint's weights together with
 * sigma, g = dL/dsigma and H = d2L/dsigma2 as one safetensors file that
 * `sublora select --sigma f.safetensors:sigma --grad f.safetensors:grad
 * --hessian f.safetensors:hessian` reads directly.
 *
 * Tensor names (all F64):
 *   sigma [r], grad [r], hessian [r, r]     the rank-determination inputs
 *   W<l> [out, in], b<l> [out]              pretrained (frozen) base weights
 *   lora.U<l> [out, k], lora.V<l> [k, in]   LoRA factors of adapted layer l
 *   lora.sigma [r]                          same values as `sigma`
 * With `merge`, W<l> instead hold the deployment weights W0 + U diag(sigma) V
 * and the lora.* tensors are omitted.
 * Metadata: pde, lambda, seed, loss, layers (comma-separated sizes of the
 * adapted layers inside sigma).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type LoraShape, SIGMA, mergeLora } from '@sublora/nn';
import { serializeSafetensors } from '@sublora/formats';
import writeFileAtomic from 'write-file-atomic';
import { InputError } from '@sublora/tensor';
import { totalRank } from './config';
import { type RunContext, ensureFinetuned, sigmaDerivativeGraph, sigmaDerivatives } from './stages';
import type { PdeName } from './pdes';

/** Options of {@link exportCheckpoint}. */
export interface ExportOptions {
  readonly pde: PdeName;
  readonly seed: number;
  readonly lambda: readonly [number, number];
  readonly file: string;
  /** Write merged deployment weights instead of base + adapter. */
  readonly merge?: boolean;
}

/** Writes the export file; returns the tensor names written. */
export async function exportCheckpoint(ctx: RunContext, options: ExportOptions): Promise<string[]> {
  if (ctx.config.adapter !== 'lora-svd')
    throw new InputError(
      'adapter',
      `export writes LoRA-SVD tensors (sigma, g, H, U, V); ${ctx.config.adapter} checkpoints cannot be exported yet`,
    );
  const model = await ensureFinetuned(ctx, options.pde, options.seed, options.lambda);
  const { loss, grad, hessian } = await sigmaDerivatives(
    ctx,
    model.graphs,
    sigmaDerivativeGraph(ctx, model.graphs),
    model.params,
  );
  const r = totalRank(ctx.config);
  const lora = model.net.lora as LoraShape;
  const weights = options.merge
    ? mergeLora(
        Object.fromEntries(
          Object.entries(model.params).filter(([k]) => !model.adapterNames.includes(k)),
        ),
        model.params,
        lora,
      )
    : model.params;
  const tensors: Record<string, { dtype: 'F64'; shape: readonly number[]; data: Float64Array }> = {
    sigma: { dtype: 'F64', shape: [r], data: model.params[SIGMA].data },
    grad: { dtype: 'F64', shape: [r], data: grad },
    hessian: { dtype: 'F64', shape: [r, r], data: hessian },
  };
  for (const [name, t] of Object.entries(weights))
    tensors[name] = { dtype: 'F64', shape: t.shape, data: t.data };
  const bytes = serializeSafetensors(tensors, {
    pde: options.pde,
    lambda: options.lambda.join(','),
    seed: String(options.seed),
    loss: String(loss),
    layers: lora.layers.map(() => lora.rank).join(','),
  });
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  writeFileAtomic.sync(options.file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return Object.keys(tensors);
}
