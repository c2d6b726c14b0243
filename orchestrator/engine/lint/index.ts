/** The definition check: rules every saga definition should pass before production. */
export * from './check-definition.js';
export * from './findings.js';
