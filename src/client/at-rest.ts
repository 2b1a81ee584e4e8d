/**
 * The page's S3, ECR and Inspector clients (`kit.s3(region)`, `kit.ecr(region)`,
 * `kit.inspector(region)`): each method forwards to the worker (protocol.ts, `atRest`), built from
 * the operation lists so the page loads none of the services' code. What structured cloning drops
 * is put back: an S3 object `Body` gets the SDK's `transformToByteArray` / `transformToString` again.
 */
import { AT_REST_OPERATIONS, AtRestService } from '../services/at-rest-operations.js';
import type { EcrClient } from '../services/ecr/ecr.js';
import type { InspectorClient } from '../services/inspector/inspector.js';
import type { S3Client } from '../services/s3/s3.js';

/** What a page-side client needs: a way to call one operation in the worker. */
export type AtRestCall = (service: AtRestService, region: string, operation: string, request: unknown) => Promise<unknown>;

function withBodyMethods(response: unknown): unknown {
  const body = (response as { Body?: unknown } | null)?.Body;
  if (body instanceof Uint8Array) {
    Object.defineProperties(body, {
      transformToByteArray: { value: async () => body, enumerable: false },
      transformToString: { value: async (encoding = 'utf-8') => new TextDecoder(encoding).decode(body), enumerable: false },
    });
  }
  return response;
}

/**
 * A frozen client of `service` in `region` whose methods call the worker through `call`.
 *
 * @example
 * ```ts
 * const s3 = atRestClient(call, 's3', 'us-east-1') as S3Client;
 * await s3.listBuckets();
 * ```
 */
export function atRestClient(call: AtRestCall, service: typeof AtRestService.S3, region: string): S3Client;
export function atRestClient(call: AtRestCall, service: typeof AtRestService.ECR, region: string): EcrClient;
export function atRestClient(call: AtRestCall, service: typeof AtRestService.INSPECTOR, region: string): InspectorClient;
export function atRestClient(call: AtRestCall, service: AtRestService, region: string): S3Client | EcrClient | InspectorClient {
  const methods: Record<string, unknown> = { region };
  for (const operation of AT_REST_OPERATIONS[service]) {
    methods[operation] =
      service === AtRestService.S3 && operation === 'getObject'
        ? async (request?: unknown) => withBodyMethods(await call(service, region, operation, request))
        : (request?: unknown) => call(service, region, operation, request);
  }
  return Object.freeze(methods) as unknown as S3Client | EcrClient | InspectorClient;
}
