/**
 * The Node half of the reference backend's threaded matrix products:
 * `@sublora/tensor` splits a product's blocks among threads but starts none
 * itself (it stays free of Node APIs); this starts them with `worker_threads`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BackendDescriptor, referenceDescriptor, referenceKernels } from '@sublora/tensor';

/**
 * Starts one helper thread of the reference backend's GEMM
 * (`referenceKernels.useGemmThreads`): a `worker_threads` Worker evaluating
 * the helper's source on its data.
 */
export const startNodeGemmWorker: referenceKernels.StartGemmWorker = (source, data) =>
  new Worker(`(${source})(require('node:worker_threads').workerData)`, {
    eval: true,
    workerData: data,
  }).on('error', () => {
    // A helper that dies is reported where it matters, as a one-line error of
    // the product that lost its part (or of useGemmThreads); an unhandled
    // 'error' event would instead crash the process later.
  });

/**
 * The reference backend's descriptor for Node: `create(_, { threads })`
 * shares its big matrix products among `threads` threads (default: every
 * available CPU, `os.availableParallelism()`), with bit-identical results.
 */
export const nodeReferenceDescriptor: BackendDescriptor = {
  ...referenceDescriptor,
  create: (variant, options = {}) => {
    referenceKernels.useGemmThreads(options.threads ?? availableParallelism(), startNodeGemmWorker);
    return referenceDescriptor.create(variant, options);
  },
};
