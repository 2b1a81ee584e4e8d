/**
 * Recording: the one place every call passes on its way out, succeeded or failed, and where the
 * KMS's own service events (rotation, deletion, expiry, replica synchronization) go too. Two
 * listeners hear it (kms.ts): the audit log, which gets the whole {@link CallOutcome} and keeps
 * only what its allow-list admits (audit/record-shapes.ts), and the user's `recorder` option, which
 * gets the {@link CallEvent}: names, ids and the outcome, never plaintext, key material or ciphertext.
 */
import type { CallDecision } from '../requests/call-context.js';

/**
 * One KMS call or service event as the `recorder` option of {@link createKms} hears it: names, ARNs
 * and the outcome, never plaintext, key material or ciphertext.
 */
export interface CallEvent {
  readonly eventTime: number;
  readonly eventName: string;
  readonly awsRegion: string;
  /** The caller; undefined for a service event. */
  readonly principal?: string;
  /** The key ARNs the call touched, in the order it resolved them. */
  readonly resources: readonly string[];
  /** The AWS exception name when the call failed. */
  readonly errorCode?: string;
  /** `AwsServiceEvent` for what the KMS did by itself; absent for calls. */
  readonly eventType?: 'AwsServiceEvent';
}

/** Receives one event per call and per service event; may return a promise, which the KMS awaits. */
export type CallRecorder = (event: CallEvent) => void | Promise<void>;

/** Everything the audit log may draw on for one call: request and response included, to be filtered. */
export interface CallOutcome {
  readonly event: CallEvent;
  readonly viaService?: string;
  readonly request?: unknown;
  readonly response?: unknown;
  readonly error?: unknown;
  /** The access decisions the call took, in order. */
  readonly decisions?: readonly CallDecision[];
}

/** The default recorder: nothing. */
export const recordNothing: CallRecorder = () => undefined;
