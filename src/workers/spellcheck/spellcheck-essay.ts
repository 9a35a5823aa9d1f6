import type { SpellcheckJob } from '../../queues/jobs.js';
import type { Publisher } from '../../queues/publisher.js';
import type { BlobStore } from '../../shared/blob-store.js';
import { EventType, Phase } from '../../shared/events/vocabulary.js';
import type { CheckResult, Language } from './checker.js';

export interface SpellcheckDeps {
  blobs: BlobStore;
  publisher: Publisher;
  checker: { check(text: string, language: Language): CheckResult | Promise<CheckResult> };
}

/**
 * SpellcheckInitiate: checks one essay in the language it is written in, stores the corrected
 * text, says SpellCheckCompletedV1. An essay left uncorrected (`skipped`) still completes.
 */
export async function spellcheckEssay(job: SpellcheckJob, deps: SpellcheckDeps) {
  const text = (await deps.blobs.get(job.text_storage_id)).toString('utf8');
  const result = await deps.checker.check(text, job.language);
  // derived from the durable text by a deterministic check: atomic, but not worth two fsyncs
  const correctedId = await deps.blobs.put(result.correctedText, { durable: false });
  await deps.publisher.emit(
    EventType.SpellCheckCompletedV1,
    {
      batch_id: job.batch_id,
      essay_id: job.essay_id,
      status: 'completed',
      language: job.language,
      corrections_made: result.correctionsMade,
      misspellings: result.misspellings,
      corrected_text_storage_id: correctedId,
      language_detected: result.languageDetected,
      language_checked: result.languageChecked,
      skipped: result.skipped,
      corrections: result.corrections,
      unknown_words: result.unknownWords,
    },
    {
      batchId: job.batch_id,
      subjectId: job.essay_id,
      phase: Phase.spellcheck,
      outcome: 'completed',
    },
    job.correlation_id,
  );
  return {
    status: 'completed',
    corrections_made: result.correctionsMade,
    words: result.words,
    language_detected: result.languageDetected,
    skipped: result.skipped?.reason ?? null,
  };
}

/** A spellcheck that died still gives its essay a result, so the phase can complete. */
export async function reportDeadSpellcheck(
  job: SpellcheckJob,
  publisher: Publisher,
  reason: string,
): Promise<void> {
  await publisher.emit(
    EventType.SpellCheckCompletedV1,
    {
      batch_id: job.batch_id,
      essay_id: job.essay_id,
      status: 'failed',
      language: job.language,
      corrections_made: 0,
      misspellings: [],
      corrected_text_storage_id: null,
      message: reason,
      language_detected: 'und',
      language_checked: null,
      skipped: null,
      corrections: [],
      unknown_words: [],
    },
    { batchId: job.batch_id, subjectId: job.essay_id, phase: Phase.spellcheck, outcome: 'failed' },
    job.correlation_id,
  );
}
