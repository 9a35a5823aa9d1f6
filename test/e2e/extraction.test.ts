import { expect } from 'chai';
import { ApiClient, essay, type UploadFile } from '../helpers/api.js';
import {
  encryptedOfficeBytes,
  jpegBytes,
  makeDocx,
  makeEncryptedPdf,
  makePdf,
  makeScannedPdf,
  makeZipBomb,
} from '../helpers/documents.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { sampleMemory } from '../helpers/memory.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';
import { QueueName } from '../../src/queues/names.js';
import { freePort } from '../../src/shared/redis-server.js';
import { useRedis } from '../helpers/redis.js';

describe('e2e: every extraction outcome through HTTP and the batch status', function () {
  // a loaded 2-core machine reads these files many times slower than an idle one
  this.timeout(300_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;
  let extractor: ReturnType<typeof spawnBin>;
  let metricsPort: number;
  const settings = {
    EXTRACT_CONCURRENCY: '2',
    // every file of the mixed batch fits this however loaded the machine is; TIMEOUT has a
    // test of its own below, with a file that cannot fit its limit on any machine
    EXTRACT_TIMEOUT_MS: '60000',
    EXTRACT_MAX_PDF_PAGES: '5000',
    MAX_FILE_BYTES: String(2 << 20),
    MAX_FILES_PER_REQUEST: '20',
  };

  // the web and lifecycle run here; the extractor is its own OS process, as in production,
  // so its memory and metrics are its own
  before(async () => {
    fleet = redis.track(await startFleet(redis.url, settings, [QueueName.lifecycle]));
    api = new ApiClient(fleet.url);
    metricsPort = await freePort();
    // photos and scans go on to OCR: the same process runs it here
    extractor = spawnBin('worker', ['--queues', 'extractor,ocr'], {
      ...settings,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: fleet.config.REDIS_KEY_PREFIX,
      DATA_DIR: fleet.config.DATA_DIR,
      METRICS_PORT: String(metricsPort),
    });
    await waitForOutput(extractor, /consuming essay\.extract/);
    // stopped while Redis is still up (the suite's Redis stops after its tracked clean-ups)
    redis.track({
      stop: async () => {
        extractor.kill('SIGTERM');
        await exitOf(extractor);
      },
    });
  });

  it('gives each broken file its code, and the next file in the batch still becomes ready', async () => {
    const pdf = await makePdf([
      [essay('page one', 20)],
      [essay('page two', 20)],
      [essay('page three', 20)],
    ]);
    const files: (UploadFile & { expect: string })[] = [
      { name: 'good-1.txt', content: essay('one'), expect: 'ready' },
      // a JPEG is a photo for OCR, whatever its name; this one's pixels are garbage
      { name: 'photo.docx', content: jpegBytes, expect: 'CORRUPTED_FILE' },
      { name: 'good-2.pdf', content: pdf, expect: 'ready' },
      { name: 'cut.pdf', content: pdf.subarray(0, pdf.length >> 1), expect: 'CORRUPTED_FILE' },
      { name: 'good-3.docx', content: await makeDocx(), expect: 'ready' },
      { name: 'locked.pdf', content: await makeEncryptedPdf(), expect: 'ENCRYPTED_FILE' },
      { name: 'good-4.txt', content: essay('four'), expect: 'ready' },
      { name: 'good-5.txt', content: essay('five'), expect: 'ready' },
      { name: 'scan.pdf', content: await makeScannedPdf(), expect: 'EMPTY_CONTENT' },
      { name: 'short.txt', content: 'Too short.', expect: 'CONTENT_TOO_SHORT' },
      { name: 'long.txt', content: 'ord '.repeat(15_000), expect: 'CONTENT_TOO_LONG' },
      { name: 'bomb.docx', content: await makeZipBomb(), expect: 'CORRUPTED_FILE' },
      { name: 'huge.txt', content: 'x'.repeat(3 << 20), expect: 'FILE_TOO_LARGE' },
      { name: 'locked.docx', content: encryptedOfficeBytes, expect: 'ENCRYPTED_FILE' },
      { name: 'good-6.txt', content: essay('six'), expect: 'ready' },
    ];
    const reg = await api.register({ expected_essay_count: files.length, course_code: 'ENG5' });
    const memory = sampleMemory(extractor.pid);
    const up = await api.upload(reg.batch_id, files);
    expect(up.status).to.equal(202);
    expect(up.body.files.find((f: any) => f.original_file_name === 'huge.txt')).to.include({
      status: 'rejected',
      error_code: 'FILE_TOO_LARGE',
      raw_storage_id: null,
    });
    const batch = await api.waitForBatch(reg.batch_id, 240_000);
    const peak = memory.stop();

    expect(batch.status).to.equal('ready');
    const outcomes = Object.fromEntries([
      ...batch.essays.map((e: any) => [e.original_file_name, 'ready']),
      ...batch.validation_failures.map((f: any) => [f.original_file_name, f.error_code]),
    ]);
    expect(outcomes).to.deep.equal(Object.fromEntries(files.map((f) => [f.name, f.expect])));
    for (const f of batch.validation_failures)
      expect(f.message).to.be.a('string').and.not.equal('');

    // the zip bomb and the rest cost the extractor process and each sandbox child < 512 MB
    expect(peak.self, 'extractor RSS').to.be.below(512 << 20);
    expect(peak.child, 'sandbox child RSS').to.be.below(512 << 20);

    // files that were read count where they were read (the extractor), parts the API refused
    // where they were refused (the web process)
    const scrape = async (url: string) => (await fetch(url)).text();
    const countOf = (scraped: string, code: string) =>
      Number(
        new RegExp(`essay_validation_failed_total\\{error_code="${code}"\\} (\\d+)`).exec(
          scraped,
        )?.[1],
      );
    const fromExtractor = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    const expected = { CORRUPTED_FILE: 3, ENCRYPTED_FILE: 2, EMPTY_CONTENT: 1 };
    for (const [code, n] of Object.entries(expected))
      expect(countOf(fromExtractor, code), code).to.equal(n);
    expect(countOf(await scrape(`${fleet.url}/metrics`), 'FILE_TOO_LARGE')).to.equal(1);

    const events = await api.events(reg.batch_id);
    const failure = events.find(
      (e) => e.event_type === 'EssayValidationFailedV1' && e.data.original_file_name === 'cut.pdf',
    )!;
    expect(failure.data).to.include({ error_code: 'CORRUPTED_FILE' });
    expect(failure.data.raw_storage_id).to.match(/^[0-9a-f]{64}$/);
    const provisioned = events.find((e) => e.event_type === 'EssayContentProvisionedV1')!;
    expect(provisioned.data.raw_storage_id).to.match(/^[0-9a-f]{64}$/);
    expect(provisioned.data.text_storage_id).to.match(/^[0-9a-f]{64}$/);
  });

  it('gives a file that runs past the extraction time limit TIMEOUT, and the batch still ends', async () => {
    // an extractor of its own with a one-second limit and only this file: 3,000 pages take
    // seconds on any machine, so the limit is hit however fast or loaded the machine is
    const slowPdf = await makePdf(
      Array.from({ length: 3000 }, (_, i) => [`Page ${i} with a line of text.`]),
    );
    const quick = redis.track(await startFleet(redis.url, settings, [QueueName.lifecycle]));
    const quickApi = new ApiClient(quick.url);
    const strict = spawnBin('worker', ['--queues', 'extractor'], {
      ...settings,
      EXTRACT_TIMEOUT_MS: '1000',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: quick.config.REDIS_KEY_PREFIX,
      DATA_DIR: quick.config.DATA_DIR,
    });
    try {
      await waitForOutput(strict, /consuming essay\.extract/);
      const reg = await quickApi.register({ expected_essay_count: 1, course_code: 'ENG5' });
      await quickApi.upload(reg.batch_id, [{ name: 'slow.pdf', content: slowPdf }]);
      const batch = await quickApi.waitForBatch(reg.batch_id, 240_000);
      expect(batch.status).to.equal('ready');
      expect(batch.validation_failures.map((f: any) => f.error_code)).to.deep.equal(['TIMEOUT']);
    } finally {
      strict.kill('SIGTERM');
      await exitOf(strict);
    }
  });

  it('answers files past the per-request limit with TOO_MANY_FILES and counts them for the batch', async () => {
    const files = Array.from({ length: 21 }, (_, i) => ({
      name: `e${i}.txt`,
      content: essay(`n${i}`),
    }));
    const reg = await api.register({ expected_essay_count: 21, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, files);
    expect(up.body.files[20]).to.include({ status: 'rejected', error_code: 'TOO_MANY_FILES' });
    const batch = await api.waitForBatch(reg.batch_id, 240_000);
    expect(batch).to.include({
      status: 'ready',
      ready_count: 20,
      failed_count: 1,
      received_count_from_uploads: 21,
    });
  });

  it('extracts the same raw bytes to byte-identical text', async () => {
    const docx = await makeDocx();
    // in two batches: within one, the second copy would be a duplicate (it takes no slot)
    const batches = await Promise.all(
      [1, 2].map(async () => {
        const reg = await api.register({ expected_essay_count: 1, course_code: 'SV1' });
        await api.upload(reg.batch_id, [{ name: 'a.docx', content: docx }]);
        return api.waitForBatch(reg.batch_id);
      }),
    );
    const [one, two] = batches.map((b) => b.essays[0]);
    expect(one.raw_storage_id).to.equal(two.raw_storage_id);
    expect(one.text_storage_id).to.equal(two.text_storage_id);
    const text = await (await fetch(`${fleet.url}/v1/essays/${one.essay_id}/text`)).text();
    expect(text).to.include('Västerås');
  });
});
