/**
 * The simulated Amazon Inspector key configuration and encrypted code snippets (inspector.ts says how).
 * @packageDocumentation
 */
export {
  createInspectorService,
  CODE_SECURITY_PRINCIPAL,
  CODE_SECURITY_SCOPE,
  RESOURCE_TYPES,
  SCAN_TYPES,
  type AccountStatus,
  type CodeSnippetError,
  type CodeSnippetResult,
  type InspectorClient,
  type InspectorService,
  type ResourceType,
  type ScanFeature,
  type ScanType,
} from './inspector.js';
