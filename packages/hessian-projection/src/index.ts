/**
 * @sublora/hessian-projection: the closed-form Frobenius-nearest projection of
 * a Hessian onto the Theorem-2 sign constraints, on the host or on a backend.
 */
export { projectHessian, projectHessianRows, projectValidatedHessian } from './project';
export type {
  HessianProjection,
  HessianRowsProjection,
  ProjectHessianOptions,
  ProjectionReport,
  ValidatedHessianProjection,
} from './project';
export { projectHessianOn } from './project-on';
export type { TensorHessianProjection } from './project-on';
