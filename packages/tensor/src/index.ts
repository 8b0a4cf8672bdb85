export type * from './backend';
export * from './host';
