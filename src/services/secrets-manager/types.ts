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

/** `ReplicaRegionType`, as the AWS SDK v3 types it. */
export interface ReplicaRegionType {
  Region: string;
  /** The key in the replica's Region; default `alias/aws/secretsmanager` there. */
  KmsKeyId?: string;
}

/** A replica's replication status. */
export type StatusType = 'InSync' | 'Failed' | 'InProgress';

/** `ReplicationStatusType`, as the AWS SDK v3 types it. */
export interface ReplicationStatusType {
  Region: string;
  KmsKeyId?: string;
  Status: StatusType;
  StatusMessage?: string;
  LastAccessedDate?: Date;
}

/** `RotationRulesType`, as the AWS SDK v3 types it. */
export interface RotationRulesType {
  /** 1-1000. */
  AutomaticallyAfterDays?: number;
  /** The rotation window: `1h` to `24h`. */
  Duration?: string;
  /** `rate(10 days)`, `rate(6 hours)` or `cron(0 16 1,15 * ? *)`. */
  ScheduleExpression?: string;
}

/** `CreateSecretRequest`, as the AWS SDK v3 types it. */
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
/** `CreateSecretResponse`, as the AWS SDK v3 types it. */
export interface CreateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
  ReplicationStatus?: ReplicationStatusType[];
}

/** `PutSecretValueRequest`, as the AWS SDK v3 types it. */
export interface PutSecretValueRequest {
  SecretId: string;
  ClientRequestToken?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  VersionStages?: string[];
}
/** `PutSecretValueResponse`, as the AWS SDK v3 types it. */
export interface PutSecretValueResponse {
  ARN: string;
  Name: string;
  VersionId: string;
  VersionStages: string[];
}

/** `GetSecretValueRequest`, as the AWS SDK v3 types it. */
export interface GetSecretValueRequest {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}
/** `GetSecretValueResponse`, as the AWS SDK v3 types it. */
export interface GetSecretValueResponse {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
  VersionStages: string[];
  CreatedDate: Date;
}

/** `Filter`, as the AWS SDK v3 types it. */
export interface Filter {
  Key: 'description' | 'name' | 'tag-key' | 'tag-value' | 'primary-region' | 'owning-service' | 'all';
  Values: string[];
}

/** `BatchGetSecretValueRequest`, as the AWS SDK v3 types it. */
export interface BatchGetSecretValueRequest {
  SecretIdList?: string[];
  Filters?: Filter[];
  MaxResults?: number;
  NextToken?: string;
}
/** `SecretValueEntry`, as the AWS SDK v3 types it. */
export interface SecretValueEntry extends GetSecretValueResponse {}
/** `APIErrorType`, as the AWS SDK v3 types it. */
export interface APIErrorType {
  SecretId: string;
  ErrorCode: string;
  Message: string;
}
/** `BatchGetSecretValueResponse`, as the AWS SDK v3 types it. */
export interface BatchGetSecretValueResponse {
  SecretValues: SecretValueEntry[];
  Errors: APIErrorType[];
  NextToken?: string;
}

/** `SecretIdRequest`, as the AWS SDK v3 types it. */
export interface SecretIdRequest {
  SecretId: string;
}
/** `ArnAndName`, as the AWS SDK v3 types it. */
export interface ArnAndName {
  ARN: string;
  Name: string;
}

/** `DescribeSecretResponse`, as the AWS SDK v3 types it. */
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

/** `ListSecretsRequest`, as the AWS SDK v3 types it. */
export interface ListSecretsRequest {
  IncludePlannedDeletion?: boolean;
  MaxResults?: number;
  NextToken?: string;
  Filters?: Filter[];
  SortOrder?: 'asc' | 'desc';
}
/** `SecretListEntry`, as the AWS SDK v3 types it. */
export interface SecretListEntry extends Omit<DescribeSecretResponse, 'VersionIdsToStages' | 'ReplicationStatus'> {
  SecretVersionsToStages?: Record<string, string[]>;
}
/** `ListSecretsResponse`, as the AWS SDK v3 types it. */
export interface ListSecretsResponse {
  SecretList: SecretListEntry[];
  NextToken?: string;
}

/** `ListSecretVersionIdsRequest`, as the AWS SDK v3 types it. */
export interface ListSecretVersionIdsRequest {
  SecretId: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}
/** `SecretVersionsListEntry`, as the AWS SDK v3 types it. */
export interface SecretVersionsListEntry {
  VersionId: string;
  VersionStages?: string[];
  LastAccessedDate?: Date;
  CreatedDate: Date;
  KmsKeyIds?: string[];
}
/** `ListSecretVersionIdsResponse`, as the AWS SDK v3 types it. */
export interface ListSecretVersionIdsResponse {
  Versions: SecretVersionsListEntry[];
  NextToken?: string;
  ARN: string;
  Name: string;
}

/** `UpdateSecretRequest`, as the AWS SDK v3 types it. */
export interface UpdateSecretRequest {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: Uint8Array;
  SecretString?: string;
}
/** `UpdateSecretResponse`, as the AWS SDK v3 types it. */
export interface UpdateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}

/** `UpdateSecretVersionStageRequest`, as the AWS SDK v3 types it. */
export interface UpdateSecretVersionStageRequest {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}

/** `RotateSecretRequest`, as the AWS SDK v3 types it. */
export interface RotateSecretRequest {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRulesType;
  /** Default true; false runs only the testSecret step now and rotates at the next scheduled window. */
  RotateImmediately?: boolean;
}
/** `RotateSecretResponse`, as the AWS SDK v3 types it. */
export interface RotateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}
/** `CancelRotateSecretResponse`, as the AWS SDK v3 types it. */
export interface CancelRotateSecretResponse {
  ARN: string;
  Name: string;
  VersionId?: string;
}

/** `DeleteSecretRequest`, as the AWS SDK v3 types it. */
export interface DeleteSecretRequest {
  SecretId: string;
  /** 7-30, default 30. */
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}
/** `DeleteSecretResponse`, as the AWS SDK v3 types it. */
export interface DeleteSecretResponse {
  ARN: string;
  Name: string;
  DeletionDate: Date;
}

/** `ReplicateSecretToRegionsRequest`, as the AWS SDK v3 types it. */
export interface ReplicateSecretToRegionsRequest {
  SecretId: string;
  AddReplicaRegions: ReplicaRegionType[];
  ForceOverwriteReplicaSecret?: boolean;
}
/** `ReplicationResponse`, as the AWS SDK v3 types it. */
export interface ReplicationResponse {
  ARN: string;
  ReplicationStatus: ReplicationStatusType[];
}
/** `RemoveRegionsFromReplicationRequest`, as the AWS SDK v3 types it. */
export interface RemoveRegionsFromReplicationRequest {
  SecretId: string;
  RemoveReplicaRegions: string[];
}
/** `StopReplicationToReplicaResponse`, as the AWS SDK v3 types it. */
export interface StopReplicationToReplicaResponse {
  ARN: string;
}

/** `GetResourcePolicyResponse`, as the AWS SDK v3 types it. */
export interface GetResourcePolicyResponse {
  ARN: string;
  Name: string;
  ResourcePolicy?: string;
}
/** `PutResourcePolicyRequest`, as the AWS SDK v3 types it. */
export interface PutResourcePolicyRequest {
  SecretId: string;
  ResourcePolicy: string;
  BlockPublicPolicy?: boolean;
}

/** `GetRandomPasswordRequest`, as the AWS SDK v3 types it. */
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
/** `GetRandomPasswordResponse`, as the AWS SDK v3 types it. */
export interface GetRandomPasswordResponse {
  RandomPassword: string;
}

/** `TagResourceRequest`, as the AWS SDK v3 types it. */
export interface TagResourceRequest {
  SecretId: string;
  Tags: Tag[];
}
/** `UntagResourceRequest`, as the AWS SDK v3 types it. */
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
