import type { Queue } from 'bullmq';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import { jobOptions } from './create-queue.js';
import { ocrFileJobSchema, ocrJobId, type OcrFileJob } from './jobs.js';
import { JobName, QueueName } from './names.js';

/**
 * Hands a file to OCR: one "ocr file" job on `essay.ocr`, a child of the file's upload parent, so
 * the parent (still waiting: the extract child handing it over has not finished) waits for it
 * too and applies the upload once, with this job's outcome for the file. The job id is the
 * file's: an extract child retried after handing over adds nothing. An upload already applied
 * (a late child), or whose parent is gone, still gets the job, without a parent: the OCR job
 * then applies its outcome itself, as a late extract child does.
 */
export async function handToOcr(
  queue: (name: QueueName) => Queue,
  config: Config,
  job: OcrFileJob,
): Promise<void> {
  const data = ocrFileJobSchema.parse(job);
  const opts = { ...jobOptions(config, QueueName.ocr), jobId: ocrJobId(job.file_upload_id) };
  const parent = await queue(QueueName.upload).getJobState(job.upload_id);
  if (parent === 'waiting-children' || parent === 'active') {
    try {
      await queue(QueueName.ocr).add(JobName.ocrFile, data, {
        ...opts,
        parent: {
          id: job.upload_id,
          queue: `${bullPrefix(config.REDIS_KEY_PREFIX)}:${QueueName.upload}`,
        },
        ignoreDependencyOnFailure: true,
      });
      return;
    } catch (err) {
      // the parent was removed between the look and the add: the job goes alone
      if (!/parent/i.test((err as Error).message)) throw err;
    }
  }
  await queue(QueueName.ocr).add(JobName.ocrFile, data, opts);
}
