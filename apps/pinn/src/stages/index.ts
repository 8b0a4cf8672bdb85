/**
 * The experiment stages of the paper, one module each, every one resumable
 * from checkpoints: pretraining at lambda = (1, 0), LoRA fine-tuning to each
 * target lambda, training-free rank determination (Alg. 3) across methods and
 * budgets, and alternating training with rank determination (Alg. 4).
 */
export { type RunContext, Interrupted, evaluateError } from './context';
export { ensurePretrained } from './pretrain';
export { ensureFinetuned } from './finetune';
export { sigmaDerivativeGraph, sigmaDerivatives } from './sigma-derivatives';
export { runDetermination } from './determine';
export { cubicBudget, alternatingMethods, runAlternating } from './alternate';
