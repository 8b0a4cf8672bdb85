/**
 * `@sublora/pinn` as a library: the PDEs, sampling, configuration,
 * checkpoints, training stages and reports behind the `sublora-pinn` command.
 */
export * from './pdes';
export * from './geometry';
export * from './config';
export * from './checkpoint';
export * from './model';
export * from './train';
export * from './pipeline';
export * from './results';
export * from './report';
export * from './plots';
export * from './export';
export * from './metrics';
export * from './progress';
export * from './seeds';
export { buildProgram, runCli, type CliIo } from './cli';
