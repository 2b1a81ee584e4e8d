/**
 * Key states: how a key's state follows from its record and the clock, and what each state allows,
 * as the AWS KMS developer guide's key-state table says (../shared/reference/kms-key-states.md; the
 * footnote wording is in errors.ts). The table is data here, one row per operation, and
 * {@link checkKeyState} is the only place that interprets it, so a cell can be checked against the
 * guide at a glance.
 */
import {
  creating,
  disabled,
  kmsError,
  notPendingDeletion,
  originExternal,
  pendingDeletion,
  pendingImport,
  unavailable,
  updating,
  type KmsError,
} from '../errors.js';
import type { KeyRecord } from '../storage/records.js';
import type { KeyState } from './specs.js';

/** The state a record is in at time `now` (epoch ms). Lifecycle events are applied beforehand. */
export function keyStateOf(record: KeyRecord, now: number): KeyState {
  if (record.deletion) return record.deletion.deletionDate === undefined ? 'PendingReplicaDeletion' : 'PendingDeletion';
  // Footnote [13]: a pending deletion outranks Unavailable, so it can always be cancelled.
  if (record.unavailable) return 'Unavailable';
  if (record.transition && now < record.transition.until) return record.transition.state;
  if (record.Origin === 'EXTERNAL' && record.currentMaterialId === undefined) return 'PendingImport';
  return record.enabled ? 'Enabled' : 'Disabled';
}

/**
 * One cell of the table. `OK`: allowed. `NA`: no key this operation accepts can be in the state (the
 * operation refuses the key type before it looks at the state). `X<n>`: fails with footnote n.
 * `?7`, `?9`, `OK9`: allowed unless the footnote's condition holds. `X1|7` etc.: the second footnote
 * if its condition holds, else the first. `?10`: UpdateAlias checks the new target itself.
 */
type Cell = 'OK' | 'NA' | 'X1' | 'X3' | 'X4' | 'X5' | 'X6' | 'X7' | 'X9' | 'X11' | 'X14' | 'X15' | '?7' | '?9' | 'OK9' | 'X1|7' | 'X3|7' | 'X8|9' | '?10';

/** Columns: Enabled, Disabled, PendingDeletion (and PendingReplicaDeletion), PendingImport, Unavailable, Creating, Updating. */
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell];

// "X [2] or [3]" cells are X3 here: AWS KMS answers a pending-deletion key with
// KMSInvalidStateException today; [2] (DisabledException) is the older answer.
export const KEY_STATE_TABLE = {
  CancelKeyDeletion: ['X4', 'X4', 'OK', 'X4', 'X4', 'X4', 'X4'],
  CreateAlias: ['OK', 'OK', 'X3', 'OK', 'OK', 'OK', 'OK'],
  CreateGrant: ['OK', 'X1', 'X3', 'X5', 'OK', 'X14', 'OK'],
  Decrypt: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  DeleteAlias: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  DeleteImportedKeyMaterial: ['OK9', 'OK9', 'OK9', 'OK', 'NA', 'X14', 'X15'],
  DescribeKey: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  DisableKey: ['OK', 'OK', 'X3', 'X5', 'OK', 'X14', 'X15'],
  DisableKeyRotation: ['?7', 'X1|7', 'X3|7', 'X6', 'X7', 'X14', '?7'],
  EnableKey: ['OK', 'OK', 'X3', 'X5', 'OK', 'X14', 'X15'],
  EnableKeyRotation: ['?7', 'X1|7', 'X3|7', 'X6', 'X7', 'X14', '?7'],
  Encrypt: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  GenerateDataKey: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  GenerateDataKeyPair: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  GenerateDataKeyPairWithoutPlaintext: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  GenerateDataKeyWithoutPlaintext: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  GenerateMac: ['OK', 'X1', 'X3', 'NA', 'NA', 'X14', 'OK'],
  GetKeyPolicy: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  GetKeyRotationStatus: ['?7', '?7', '?7', 'X6', 'X7', '?7', '?7'],
  GetParametersForImport: ['?9', '?9', 'X8|9', 'OK', 'X9', 'X14', 'X15'],
  GetPublicKey: ['OK', 'X1', 'X3', 'NA', 'NA', 'X14', 'OK'],
  ImportKeyMaterial: ['?9', '?9', 'X8|9', 'OK', 'X9', 'X14', 'OK'],
  ListAliases: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  ListGrants: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  ListKeyPolicies: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  ListResourceTags: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  PutKeyPolicy: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  ReEncrypt: ['OK', 'X1', 'X3', 'X5', 'X11', 'X14', 'OK'],
  ReplicateKey: ['OK', 'X1', 'X3', 'X5', 'NA', 'X14', 'X15'],
  RetireGrant: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  RevokeGrant: ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK'],
  ScheduleKeyDeletion: ['OK', 'OK', 'X3', 'OK', 'OK', 'OK', 'X15'],
  Sign: ['OK', 'X1', 'X3', 'NA', 'NA', 'X14', 'OK'],
  TagResource: ['OK', 'OK', 'X3', 'OK', 'OK', 'OK', 'OK'],
  UntagResource: ['OK', 'OK', 'X3', 'OK', 'OK', 'OK', 'OK'],
  UpdateAlias: ['OK', 'OK', '?10', 'OK', 'OK', 'OK', 'OK'],
  UpdateKeyDescription: ['OK', 'OK', 'X3', 'OK', 'OK', 'OK', 'OK'],
  UpdatePrimaryRegion: ['OK', 'X1', 'X3', 'X5', 'NA', 'X14', 'OK'],
  Verify: ['OK', 'X1', 'X3', 'NA', 'NA', 'X14', 'OK'],
  VerifyMac: ['OK', 'X1', 'X3', 'NA', 'NA', 'X14', 'OK'],
  // Newer operations the guide's table does not list: they follow their closest relatives.
  RotateKeyOnDemand: ['?7', 'X1|7', 'X3|7', 'X6', 'X7', 'X14', '?7'],
  ListKeyRotations: ['?7', '?7', '?7', 'X6', 'X7', '?7', '?7'],
} as const satisfies Record<string, Row>;

export type KeyStateOperation = keyof typeof KEY_STATE_TABLE;

const COLUMN: Record<KeyState, number> = {
  Enabled: 0,
  Disabled: 1,
  PendingDeletion: 2,
  PendingReplicaDeletion: 2,
  PendingImport: 3,
  Unavailable: 4,
  Creating: 5,
  Updating: 6,
};

/** Footnote [7]: keys with imported material or in a (simulated) custom key store. */
function footnote7(record: KeyRecord, arn: string): KmsError | undefined {
  if (record.Origin === 'EXTERNAL') return originExternal(arn);
  if (record.unavailable) return kmsError('UnsupportedOperationException', `${arn} is in a custom key store, which is not valid for this operation.`);
  return undefined;
}

/** Footnote [9]: keys that cannot (or do not) have imported key material. */
function footnote9(record: KeyRecord, arn: string): KmsError | undefined {
  if (record.Origin === 'EXTERNAL' && !record.unavailable) return undefined;
  const origin = record.unavailable ? 'AWS_CLOUDHSM' : record.Origin;
  return kmsError('UnsupportedOperationException', `${arn} origin is ${origin} which is not valid for this operation.`);
}

/** Throws the table's error for `operation` on a key in `state`, or returns when the cell allows it. */
export function checkKeyState(operation: KeyStateOperation, record: KeyRecord, state: KeyState, arn: string): void {
  const cell: Cell = KEY_STATE_TABLE[operation][COLUMN[state]];
  const replica = state === 'PendingReplicaDeletion';
  let error: KmsError | undefined;
  switch (cell) {
    case 'OK':
    case 'NA':
    case '?10':
      return;
    case 'X1':
      error = disabled(arn);
      break;
    case 'X3':
      error = pendingDeletion(arn, replica);
      break;
    case 'X4':
      error = notPendingDeletion(arn);
      break;
    case 'X5':
      error = pendingImport(arn);
      break;
    case 'X6':
      error = originExternal(arn);
      break;
    case 'X7':
      error = footnote7(record, arn) ?? kmsError('UnsupportedOperationException', `${arn} is not valid for this operation.`);
      break;
    case 'X9':
      error = footnote9(record, arn) ?? kmsError('UnsupportedOperationException', `${arn} is not valid for this operation.`);
      break;
    case 'X11':
      error = unavailable(arn);
      break;
    case 'X14':
      error = creating(arn);
      break;
    case 'X15':
      error = updating(arn);
      break;
    case '?7':
      error = footnote7(record, arn);
      break;
    case '?9':
    case 'OK9':
      error = footnote9(record, arn);
      break;
    case 'X1|7':
      error = footnote7(record, arn) ?? disabled(arn);
      break;
    case 'X3|7':
      error = footnote7(record, arn) ?? pendingDeletion(arn, replica);
      break;
    case 'X8|9':
      // [8] for keys with imported material; [9] for the rest.
      error = footnote9(record, arn) ?? pendingDeletion(arn, replica);
      break;
  }
  if (error) throw error;
}
