/**
 * AWS Systems Manager Parameter Store request and response shapes, as the AWS SDK for JavaScript
 * v3 (`@aws-sdk/client-ssm`) types them: PascalCase members, dates as Date. Only the members the
 * simulation understands are declared (API reference, each action's "Request Syntax").
 */

export type ParameterType = 'String' | 'StringList' | 'SecureString';
/** A parameter tier as PutParameter takes it. */
export type ParameterTier = 'Standard' | 'Advanced' | 'Intelligent-Tiering';

/** `Tag`, as the AWS SDK v3 types it. */
export interface Tag {
  Key: string;
  Value: string;
}

/** `PutParameterRequest`, as the AWS SDK v3 types it. */
export interface PutParameterRequest {
  Name: string;
  Value: string;
  Type?: ParameterType;
  Description?: string;
  /** SecureString only: the KMS key (id, ARN, alias name or alias ARN); default alias/aws/ssm. */
  KeyId?: string;
  Overwrite?: boolean;
  AllowedPattern?: string;
  Tags?: Tag[];
  Tier?: ParameterTier;
  DataType?: string;
}
/** `PutParameterResponse`, as the AWS SDK v3 types it. */
export interface PutParameterResponse {
  Version: number;
  Tier: 'Standard' | 'Advanced';
}

/** `Parameter`, as the AWS SDK v3 types it. */
export interface Parameter {
  Name: string;
  Type: ParameterType;
  /** A SecureString's plaintext with WithDecryption, else its ciphertext, base64. */
  Value: string;
  Version: number;
  /** `:3` or `:label` when the request named one. */
  Selector?: string;
  LastModifiedDate: Date;
  ARN: string;
  DataType: string;
}

/** `GetParameterRequest`, as the AWS SDK v3 types it. */
export interface GetParameterRequest {
  /** A name, optionally with `:version` or `:label`. */
  Name: string;
  WithDecryption?: boolean;
}
/** `GetParameterResponse`, as the AWS SDK v3 types it. */
export interface GetParameterResponse {
  Parameter: Parameter;
}

/** `GetParametersRequest`, as the AWS SDK v3 types it. */
export interface GetParametersRequest {
  Names: string[];
  WithDecryption?: boolean;
}
/** `GetParametersResponse`, as the AWS SDK v3 types it. */
export interface GetParametersResponse {
  Parameters: Parameter[];
  InvalidParameters: string[];
}

/** `ParameterStringFilter`, as the AWS SDK v3 types it. */
export interface ParameterStringFilter {
  Key: string;
  Option?: string;
  Values?: string[];
}

/** `GetParametersByPathRequest`, as the AWS SDK v3 types it. */
export interface GetParametersByPathRequest {
  Path: string;
  Recursive?: boolean;
  ParameterFilters?: ParameterStringFilter[];
  WithDecryption?: boolean;
  MaxResults?: number;
  NextToken?: string;
}
/** `GetParametersByPathResponse`, as the AWS SDK v3 types it. */
export interface GetParametersByPathResponse {
  Parameters: Parameter[];
  NextToken?: string;
}

/** `ParameterHistory`, as the AWS SDK v3 types it. */
export interface ParameterHistory {
  Name: string;
  Type: ParameterType;
  KeyId?: string;
  LastModifiedDate: Date;
  LastModifiedUser: string;
  Description?: string;
  Value: string;
  AllowedPattern?: string;
  Version: number;
  Labels: string[];
  Tier: 'Standard' | 'Advanced';
  Policies: never[];
  DataType: string;
}
/** `GetParameterHistoryRequest`, as the AWS SDK v3 types it. */
export interface GetParameterHistoryRequest {
  Name: string;
  WithDecryption?: boolean;
  MaxResults?: number;
  NextToken?: string;
}
/** `GetParameterHistoryResponse`, as the AWS SDK v3 types it. */
export interface GetParameterHistoryResponse {
  Parameters: ParameterHistory[];
  NextToken?: string;
}

/** `LabelParameterVersionRequest`, as the AWS SDK v3 types it. */
export interface LabelParameterVersionRequest {
  Name: string;
  /** Default: the latest version. */
  ParameterVersion?: number;
  Labels: string[];
}
/** `LabelParameterVersionResponse`, as the AWS SDK v3 types it. */
export interface LabelParameterVersionResponse {
  InvalidLabels: string[];
  ParameterVersion: number;
}
/** `UnlabelParameterVersionRequest`, as the AWS SDK v3 types it. */
export interface UnlabelParameterVersionRequest {
  Name: string;
  ParameterVersion: number;
  Labels: string[];
}
/** `UnlabelParameterVersionResponse`, as the AWS SDK v3 types it. */
export interface UnlabelParameterVersionResponse {
  RemovedLabels: string[];
  InvalidLabels: string[];
}

/** `DeleteParameterRequest`, as the AWS SDK v3 types it. */
export interface DeleteParameterRequest {
  Name: string;
}
/** `DeleteParametersRequest`, as the AWS SDK v3 types it. */
export interface DeleteParametersRequest {
  Names: string[];
}
/** `DeleteParametersResponse`, as the AWS SDK v3 types it. */
export interface DeleteParametersResponse {
  DeletedParameters: string[];
  InvalidParameters: string[];
}

/** `ParameterMetadata`, as the AWS SDK v3 types it. */
export interface ParameterMetadata {
  Name: string;
  ARN: string;
  Type: ParameterType;
  KeyId?: string;
  LastModifiedDate: Date;
  LastModifiedUser: string;
  Description?: string;
  AllowedPattern?: string;
  Version: number;
  Tier: 'Standard' | 'Advanced';
  Policies: never[];
  DataType: string;
}
/** `DescribeParametersRequest`, as the AWS SDK v3 types it. */
export interface DescribeParametersRequest {
  ParameterFilters?: ParameterStringFilter[];
  MaxResults?: number;
  NextToken?: string;
}
/** `DescribeParametersResponse`, as the AWS SDK v3 types it. */
export interface DescribeParametersResponse {
  Parameters: ParameterMetadata[];
  NextToken?: string;
}

/** A Parameter Store client of one Region: the AWS operations, camelCase. */
export interface SsmClient {
  readonly region: string;
  putParameter(request: PutParameterRequest): Promise<PutParameterResponse>;
  getParameter(request: GetParameterRequest): Promise<GetParameterResponse>;
  getParameters(request: GetParametersRequest): Promise<GetParametersResponse>;
  getParametersByPath(request: GetParametersByPathRequest): Promise<GetParametersByPathResponse>;
  getParameterHistory(request: GetParameterHistoryRequest): Promise<GetParameterHistoryResponse>;
  labelParameterVersion(request: LabelParameterVersionRequest): Promise<LabelParameterVersionResponse>;
  unlabelParameterVersion(request: UnlabelParameterVersionRequest): Promise<UnlabelParameterVersionResponse>;
  deleteParameter(request: DeleteParameterRequest): Promise<Record<string, never>>;
  deleteParameters(request: DeleteParametersRequest): Promise<DeleteParametersResponse>;
  describeParameters(request?: DescribeParametersRequest): Promise<DescribeParametersResponse>;
}
