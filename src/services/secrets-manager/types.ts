/**
 * AWS Secrets Manager request and response shapes, as the AWS SDK for JavaScript v3
 * (`@aws-sdk/client-secrets-manager`) types them: PascalCase members, `SecretBinary` as
 * Uint8Array, dates as Date. Only the members the simulation understands are declared (API
 * reference, each action's "Request Syntax" / "Response Syntax").
 */

export interface Tag {
  Key: string;
  Value: string;
}

export interface ReplicaRegionType {
  Region: string;
  /** The key in the replica's Region; default `alias/aws/secretsmanager` there. */
  KmsKeyId?: string;
}

export type StatusType = 'InSync' | 'Failed' | 'InProgress';

export interface ReplicationStatusType {
  Region: string;
  KmsKeyId?: string;
  Status: StatusType;
  StatusMessage?: string;
  LastAccessedDate?: Date;
}

export interface RotationRulesType {
  /** 1-1000. */
  AutomaticallyAfterDays?: number;
  /** The rotation window: `1h` to `24h`. */
  Duration?: string;
  /** `rate(10 days)`, `rate(6 hours)` or `cron(0 16 1,15 * ? *)`. */
  ScheduleExpression?: string;
}

export interface CreateSecretRequest {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  Tags?: Tag[];
  AddReplicaRegions?: ReplicaRegionType[];
  ForceOverwriteReplicaSecret?: boolean;
}
export interface CreateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
  ReplicationStatus?: ReplicationStatusType[];
}

export interface PutSecretValueRequest {
  SecretId: string;
  ClientRequestToken?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  VersionStages?: string[];
}
export interface PutSecretValueResponse {
  ARN: string;
  Name: string;
  VersionId: string;
  VersionStages: string[];
}

export interface GetSecretValueRequest {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}
export interface GetSecretValueResponse {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  VersionStages: string[];
  CreatedDate: Date;
}

export interface Filter {
  Key: 'description' | 'name' | 'tag-key' | 'tag-value' | 'primary-region' | 'owning-service' | 'all';
  Values: string[];
}

export interface BatchGetSecretValueRequest {
  SecretIdList?: string[];
  Filters?: Filter[];
  MaxResults?: number;
  NextToken?: string;
}
export interface SecretValueEntry extends GetSecretValueResponse {}
export interface APIErrorType {
  SecretId: string;
  ErrorCode: string;
  Message: string;
}
export interface BatchGetSecretValueResponse {
  SecretValues: SecretValueEntry[];
  Errors: APIErrorType[];
  NextToken?: string;
}

export interface SecretIdRequest {
  SecretId: string;
}
export interface ArnAndName {
  ARN: string;
  Name: string;
}

export interface DescribeSecretResponse {
  ARN: string;
  Name: string;
  Description?: string;
  KmsKeyId?: string;
  RotationEnabled?: boolean;
  RotationLambdaARN?: string;
  RotationRules?: RotationRulesType;
  LastRotatedDate?: Date;
  LastChangedDate?: Date;
  LastAccessedDate?: Date;
  DeletedDate?: Date;
  NextRotationDate?: Date;
  Tags?: Tag[];
  VersionIdsToStages?: Record<string, string[]>;
  CreatedDate: Date;
  PrimaryRegion: string;
  ReplicationStatus?: ReplicationStatusType[];
}

export interface ListSecretsRequest {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: Filter[];
  SortOrder?: 'asc' | 'desc';
}
export interface SecretListEntry extends Omit<DescribeSecretResponse, 'VersionIdsToStages' | 'ReplicationStatus'> {
  SecretVersionsToStages?: Record<string, string[]>;
}
export interface ListSecretsResponse {
  SecretList: SecretListEntry[];
  NextToken?: string;
}

export interface ListSecretVersionIdsRequest {
  SecretId: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}
export interface SecretVersionsListEntry {
  VersionId: string;
  VersionStages?: string[];
  LastAccessedDate?: Date;
  CreatedDate: Date;
  KmsKeyIds?: string[];
}
export interface ListSecretVersionIdsResponse {
  Versions: SecretVersionsListEntry[];
  NextToken?: string;
  ARN: string;
  Name: string;
}

export interface UpdateSecretRequest {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
}
export interface UpdateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}

export interface UpdateSecretVersionStageRequest {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}

export interface RotateSecretRequest {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRulesType;
  /** Default true; false runs only the testSecret step now and rotates at the next scheduled window. */
  RotateImmediately?: boolean;
}
export interface RotateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}
export interface CancelRotateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}

export interface DeleteSecretRequest {
  SecretId: string;
  /** 7-30, default 30. */
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}
export interface DeleteSecretResponse {
  ARN: string;
  Name: string;
  DeletionDate: Date;
}

export interface ReplicateSecretToRegionsRequest {
  SecretId: string;
  AddReplicaRegions: ReplicaRegionType[];
  ForceOverwriteReplicaSecret?: boolean;
}
export interface ReplicationResponse {
  ARN: string;
  ReplicationStatus: ReplicationStatusType[];
}
export interface RemoveRegionsFromReplicationRequest {
  SecretId: string;
  RemoveReplicaRegions: string[];
}
export interface StopReplicationToReplicaResponse {
  ARN: string;
}

export interface GetResourcePolicyResponse {
  ARN: string;
  Name: string;
  ResourcePolicy?: string;
}
export interface PutResourcePolicyRequest {
  SecretId: string;
  ResourcePolicy: string;
  BlockPublicPolicy?: boolean;
}

export interface GetRandomPasswordRequest {
  /** 1-4096, default 32. */
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  /** Default true. */
  RequireEachIncludedType?: boolean;
}
export interface GetRandomPasswordResponse {
  RandomPassword: string;
}

export interface TagResourceRequest {
  SecretId: string;
  Tags: Tag[];
}
export interface UntagResourceRequest {
  SecretId: string;
  TagKeys: string[];
}

/** What a rotation function is called with: the event AWS passes its rotation Lambda. */
export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
}

/**
 * A rotation function, standing in for the rotation Lambda: called once per step with the event
 * and the Secrets Manager client of the secret's Region (calling as the principal that started
 * the rotation). Throwing fails the rotation at that step.
 */
export type RotationFunction = (event: RotationEvent, client: SecretsManagerClient) => Promise<void> | void;

/** A Secrets Manager client of one Region: the AWS operations, camelCase. */
export interface SecretsManagerClient {
  readonly region: string;
  createSecret(request: CreateSecretRequest): Promise<CreateSecretResponse>;
  putSecretValue(request: PutSecretValueRequest): Promise<PutSecretValueResponse>;
  getSecretValue(request: GetSecretValueRequest): Promise<GetSecretValueResponse>;
  batchGetSecretValue(request: BatchGetSecretValueRequest): Promise<BatchGetSecretValueResponse>;
  describeSecret(request: SecretIdRequest): Promise<DescribeSecretResponse>;
  listSecrets(request?: ListSecretsRequest): Promise<ListSecretsResponse>;
  listSecretVersionIds(request: ListSecretVersionIdsRequest): Promise<ListSecretVersionIdsResponse>;
  updateSecret(request: UpdateSecretRequest): Promise<UpdateSecretResponse>;
  updateSecretVersionStage(request: UpdateSecretVersionStageRequest): Promise<ArnAndName>;
  rotateSecret(request: RotateSecretRequest): Promise<RotateSecretResponse>;
  cancelRotateSecret(request: SecretIdRequest): Promise<CancelRotateSecretResponse>;
  deleteSecret(request: DeleteSecretRequest): Promise<DeleteSecretResponse>;
  restoreSecret(request: SecretIdRequest): Promise<ArnAndName>;
  replicateSecretToRegions(request: ReplicateSecretToRegionsRequest): Promise<ReplicationResponse>;
  removeRegionsFromReplication(request: RemoveRegionsFromReplicationRequest): Promise<ReplicationResponse>;
  stopReplicationToReplica(request: SecretIdRequest): Promise<StopReplicationToReplicaResponse>;
  getResourcePolicy(request: SecretIdRequest): Promise<GetResourcePolicyResponse>;
  putResourcePolicy(request: PutResourcePolicyRequest): Promise<ArnAndName>;
  deleteResourcePolicy(request: SecretIdRequest): Promise<ArnAndName>;
  getRandomPassword(request?: GetRandomPasswordRequest): Promise<GetRandomPasswordResponse>;
  tagResource(request: TagResourceRequest): Promise<Record<string, never>>;
  untagResource(request: UntagResourceRequest): Promise<Record<string, never>>;
}
