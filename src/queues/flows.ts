import { FlowProducer } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { ExtractFileJob, FinishUploadJob } from './jobs.js';
import { extractFileJobSchema, finishUploadJobSchema } from './jobs.js';
import { jobOptions } from './create-queue.js';
import { JobName, QueueName } from './names.js';

/**
 * Adds one upload's flow: a "finish upload" parent that runs when every "extract file" child has
 * finished. Children that fail for good do not hold the parent back (ignoreDependencyOnFailure),
 * so every upload is counted even when a file dies.
 */
export async function addUploadFlow(
  flows: FlowProducer,
  config: Config,
  parent: FinishUploadJob,
  files: ExtractFileJob[],
): Promise<void> {
  await flows.add({
    name: JobName.finishUpload,
    queueName: QueueName.upload,
    data: finishUploadJobSchema.parse(parent),
    opts: { ...jobOptions(config, QueueName.upload), jobId: parent.upload_id },
    children: files.map((f) => ({
      name: JobName.extractFile,
      queueName: QueueName.extract,
      data: extractFileJobSchema.parse(f),
      opts: {
        ...jobOptions(config, QueueName.extract),
        jobId: f.file_upload_id,
        ignoreDependencyOnFailure: true,
      },
    })),
  });
}
