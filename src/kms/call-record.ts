/**
 * Recording: the one place every call passes on its way out, succeeded or failed. Issue 3 keeps no
 * log; issue 4 writes a CloudTrail-shaped, hash-chained record here. The event never carries
 * plaintext, key material or ciphertext: only names, ids and the outcome.
 */
export interface CallEvent {
  readonly eventTime: number;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly principal: string;
  /** The key ARNs the call touched, in the order it resolved them. */
  readonly resources: readonly string[];
  /** The AWS exception name when the call failed. */
  readonly errorCode?: string;
}

export type CallRecorder = (event: CallEvent) => void;

/** The default recorder: nothing yet (issue 4). */
export const recordNothing: CallRecorder = () => undefined;
