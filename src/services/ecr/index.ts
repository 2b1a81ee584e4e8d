/**
 * The simulated Amazon ECR with encryption at rest on the simulated KMS (ecr.ts says how).
 * @packageDocumentation
 */
export { createEcrService, type EcrClient, type EcrService, type EcrServiceOptions } from './ecr.js';
export type * from './types.js';
