import type { CheckResult, Language } from './checker.js';

export interface CheckRequest {
  id: number;
  text: string;
  language: Language;
}

export type CheckReply = { id: number; result: CheckResult } | { id: number; error: string };
