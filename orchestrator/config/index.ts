export * from './env-spec.js';
export * from './load-config.js';
