export * from './radial';
export * from './operators';
export * from './definitions';
