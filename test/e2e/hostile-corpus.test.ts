import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { ApiClient, essay, type UploadFile } from '../helpers/api.js';
import {
  buildZip,
  makeDocx,
  makeEncryptedPdf,
  makePdf,
  makeZipBomb,
  zipEntry,
} from '../helpers/documents.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { cyclicPdf, hugePageCountPdf } from '../helpers/hostile-files.js';
import { rawRequest } from '../helpers/raw-http.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('e2e: a corpus of hostile inputs loses nothing and costs one request each', function () {
  this.timeout(120_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;
  const settings = {
    EXTRACT_CONCURRENCY: '2',
    EXTRACT_TIMEOUT_MS: '5000',
    MAX_FILE_BYTES: String(2 << 20),
    MAX_FILES_PER_REQUEST: '20',
    MAX_REQUEST_BYTES: String(8 << 20),
    UPLOAD_IDLE_TIMEOUT_MS: '1000',
  };

  before(async () => {
    fleet = redis.track(await startFleet(redis.url, settings));
    api = new ApiClient(fleet.url);
  });

  const tmpDir = () => path.join(fleet.config.DATA_DIR, 'blobs', 'tmp');
  const leftovers = () => (fs.existsSync(tmpDir()) ? fs.readdirSync(tmpDir()) : ([] as string[]));

  it('gives every hostile file its code while a normal batch beside it becomes ready', async () => {
    const pdf = await makePdf([[essay('a real page', 40)]]);
    const innerDocx = await makeDocx();
    const files: (UploadFile & { expect: string })[] = [
      { name: 'bomb.docx', content: await makeZipBomb(), expect: 'CORRUPTED_FILE' },
      {
        name: 'nested.docx',
        content: buildZip([zipEntry('inner.docx', innerDocx), zipEntry('inner2.zip', innerDocx)]),
        expect: 'CORRUPTED_FILE',
      },
      { name: 'cycle.pdf', content: cyclicPdf(), expect: 'CORRUPTED_FILE' },
      { name: 'pages.pdf', content: hugePageCountPdf(), expect: 'CORRUPTED_FILE' },
      { name: 'cut.pdf', content: pdf.subarray(0, pdf.length >> 1), expect: 'CORRUPTED_FILE' },
      { name: 'locked.pdf', content: await makeEncryptedPdf(), expect: 'ENCRYPTED_FILE' },
      {
        name: 'polyglot.pdf',
        content: Buffer.concat([pdf, buildZip([zipEntry('word/document.xml', '<w/>')])]),
        expect: 'ready',
      },
      { name: 'empty.txt', content: new Uint8Array(0), expect: 'EMPTY_CONTENT' },
      { name: '../../etc/passwd', content: essay('path names'), expect: 'ready' },
      { name: 'photo.png', content: essay('a text that says it is a picture'), expect: 'ready' },
    ];
    const reg = await api.register({ expected_essay_count: files.length, course_code: 'ENG5' });
    const normal = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const [up, upNormal] = await Promise.all([
      api.upload(
        reg.batch_id,
        files.map((f) => ({
          ...f,
          type: f.name.endsWith('.png') ? 'image/png' : 'application/octet-stream',
        })),
      ),
      api.upload(normal.batch_id, [
        { name: 'a.txt', content: essay('one') },
        { name: 'b.txt', content: essay('two') },
      ]),
    ]);
    expect(up.status).to.equal(202);
    expect(upNormal.status).to.equal(202);
    const batch = await api.waitForBatch(reg.batch_id, 60_000);
    const outcomes = Object.fromEntries([
      ...batch.essays.map((e: any) => [e.original_file_name, 'ready']),
      ...batch.validation_failures.map((f: any) => [f.original_file_name, f.error_code]),
    ]);
    // a path-like name keeps only its last segment, for display
    expect(outcomes).to.deep.equal(
      Object.fromEntries(
        files.map((f) => [f.name === '../../etc/passwd' ? 'passwd' : f.name, f.expect]),
      ),
    );
    expect((await api.waitForBatch(normal.batch_id)).ready_count).to.equal(2);

    // every essay's bytes are stored, and its text downloads under a safe name
    for (const e of batch.essays) {
      expect(await fleet.web.blobs.exists(e.raw_storage_id)).to.equal(true);
      expect(await fleet.web.blobs.exists(e.text_storage_id)).to.equal(true);
    }
    const passwd = batch.essays.find((e: any) => e.original_file_name === 'passwd');
    const text = await fetch(`${fleet.url}/v1/essays/${passwd.essay_id}/text`);
    expect(text.headers.get('content-disposition')).to.equal('inline; filename="passwd.txt"');
    expect(text.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(fs.existsSync('/etc/passwd.txt')).to.equal(false);
  });

  it('answers broken requests with their codes and keeps no half-written bytes', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const boundary = 'hostile';
    const head = (length: number | 'chunked', type = `multipart/form-data; boundary=${boundary}`) =>
      `POST /v1/files/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\n` +
      (length === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${length}\r\n`) +
      '\r\n';
    const field = `--${boundary}\r\ncontent-disposition: form-data; name="batch_id"\r\n\r\n${reg.batch_id}\r\n`;
    const filePart = (name: string) =>
      `--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="${name}"\r\ncontent-type: text/plain\r\n\r\n`;

    // 10,000 parts
    const many = Buffer.from(
      field +
        Array.from({ length: 10_000 }, (_, i) => `${filePart(`f${i}.txt`)}x\r\n`).join('') +
        `--${boundary}--\r\n`,
    );
    expect(await rawRequest(fleet.url, head(many.length), many)).to.equal(413);

    // a body larger than MAX_REQUEST_BYTES: refused from its Content-Length, before any byte
    expect(await rawRequest(fleet.url, head(64 << 20), Buffer.from(field))).to.equal(413);

    // a client that stops mid-file: its half file is discarded, the batch is not touched
    const half = Buffer.from(field + filePart('half.txt') + essay('cut off', 200));
    expect(
      await rawRequest(fleet.url, head(half.length * 4), half, { thenStop: 'close' }),
    ).to.equal(null);
    // one that stalls mid-file is answered 408 after UPLOAD_IDLE_TIMEOUT_MS
    expect(await rawRequest(fleet.url, head(half.length * 4), half, { thenStop: 'wait' })).to.equal(
      408,
    );
    await waitFor('the half-written files to be removed', async () => leftovers().length === 0);
    const status = await api.batch(reg.batch_id);
    expect(status.received_count_from_uploads).to.equal(0);
    expect(status.essays).to.deep.equal([]);

    // wrong content types, and bytes that are not UTF-8 where a UUID should be
    const json = await api.json('POST', '/v1/files/batch', { batch_id: reg.batch_id });
    expect([json.status, json.body.error.code]).to.deep.equal([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const noBoundary = Buffer.from(field);
    expect(
      await rawRequest(fleet.url, head(noBoundary.length, 'multipart/form-data'), noBoundary),
    ).to.equal(400);
    const badUtf8 = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="batch_id"\r\n\r\n`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(`\r\n${filePart('a.txt')}${essay('x')}\r\n--${boundary}--\r\n`),
    ]);
    const form = await fetch(`${fleet.url}/v1/files/batch`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: badUtf8,
    });
    expect([form.status, ((await form.json()) as any).error.code]).to.deep.equal([
      400,
      'INVALID_BATCH_ID',
    ]);
  });

  it('refuses JSON with unknown fields or __proto__ keys, and nothing is polluted', async () => {
    const unknown = await api.json('POST', '/v1/batches/register', {
      expected_essay_count: 1,
      course_code: 'ENG5',
      is_admin: true,
    });
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    const res = await fetch(`${fleet.url}/v1/batches/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"expected_essay_count":1,"course_code":"ENG5","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    });
    expect(res.status).to.equal(400);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    const huge = await fetch(`${fleet.url}/v1/batches/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ course_code: 'ENG5', essay_instructions: 'x'.repeat(100_000) }),
    });
    expect(huge.status).to.equal(413);
  });

  it('is still up and healthy, and every queued job refers to stored bytes', async () => {
    expect((await fetch(`${fleet.url}/readyz`)).status).to.equal(200);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'after.txt', content: essay('after all that') }]);
    expect((await api.waitForBatch(reg.batch_id)).ready_count).to.equal(1);
    const jobs = await fleet.web.queue('essay.extract').getJobs(['completed', 'failed', 'waiting']);
    expect(jobs.length).to.be.above(10);
    for (const job of jobs) {
      const id = (job.data as { raw_storage_id: string | null }).raw_storage_id;
      if (id) expect(await fleet.web.blobs.exists(id), `job ${job.id}`).to.equal(true);
    }
    expect(leftovers()).to.deep.equal([]);
  });
});
