/**
 * `@sublora/nn`: MLPs, LoRA-SVD layers, Adam and learning-rate schedules,
 * written against `@sublora/autodiff` (no backend imports).
 */
export * from './random';
export * from './params';
export * from './mlp';
export * from './lora';
export * from './adapter';
export * from './adam';
export * from './schedules';
