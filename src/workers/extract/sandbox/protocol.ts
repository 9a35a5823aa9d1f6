import type { ErrorCode } from '../../../shared/errors.js';
import type { ExtractionLimits } from '../extract-document.js';

/** What the pool sends a sandbox child: one file at a time. */
export interface SandboxRequest {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  limits: ExtractionLimits;
}

/** What a child answers. `failed` is a content error; `crashed` a bug to retry. */
export type SandboxResponse =
  | { id: number; status: 'ok'; format: string; text: string }
  | { id: number; status: 'failed'; code: ErrorCode; message: string }
  | { id: number; status: 'crashed'; message: string };
