import { FlowProducer } from 'bullmq';
import type { Config } from '../shared/config.js';
import type { ExtractFileJob, FinishUploadJob } from './jobs.js';
import { extractFileJobSchema, finishUploadJobSchema } from './jobs.js';
import { jobOptions } from './create-queue.js';
import { JobName, QueueName } from './names.js';

/**
 * Adds one upload's flow: a "finish upload" parent that runs when every "extract file" child has
 * finished, and applies the whole upload. Children that die do not hold the parent back
 * (ignoreDependencyOnFailure): it reads their failures and gives them their outcome. Parts the
 * API refused get no child: the parent knows them from its manifest.
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

/** Whether an upload's flow was added (its parent exists, in any state). */
export async function uploadFlowExists(
  queue: (name: QueueName) => { getJobState(id: string): Promise<string> },
  uploadId: string,
): Promise<boolean> {
  return (await queue(QueueName.upload).getJobState(uploadId)) !== 'unknown';
}
