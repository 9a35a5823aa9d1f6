import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { ApiClient, essay } from '../helpers/api.js';
import { withDeadlinesHeld } from '../helpers/deadlines.js';
import {
  buildZip,
  makeDocx,
  makePdf,
  minimalDocxEntries,
  storedZipEntry,
} from '../helpers/documents.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** Duplicates, late files and honest answers at the edges, through HTTP and the batch view. */
describe('e2e: duplicates, late files and answers at the edges', function () {
  this.timeout(60_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    fleet = redis.track(await startFleet(redis.url));
    api = new ApiClient(fleet.url);
  });

  const excessEvents = async (batchId: string) =>
    (await api.events(batchId)).filter((e) => e.event_type === 'ExcessContentProvisionedV1');

  /** The files the batch has put somewhere: essays, failures, excess. */
  const settled = (b: any) => b.essays.length + b.validation_failures.length + b.excess.length;

  it('the same DOCX twice in one request takes one slot; the batch waits for its real second essay', async () => {
    const docx = await makeDocx([essay('climate', 80)]);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [
      { name: 'climate.docx', content: docx },
      { name: 'climate.docx', content: docx },
    ]);
    expect(up.status).to.equal(202);
    const [first, second] = up.body.files;
    expect(first).to.not.have.property('excess_reason');
    expect(second).to.include({ status: 'accepted', excess_reason: 'DUPLICATE_CONTENT' });
    expect(second.duplicate_of).to.deep.equal({
      file_upload_id: first.file_upload_id,
      original_file_name: 'climate.docx',
    });
    const waiting = await waitFor('both files to be applied', async () => {
      const b = await api.batch(reg.batch_id);
      return settled(b) === 2 ? b : undefined;
    });
    expect(waiting).to.include({ status: 'awaiting_content', ready_count: 1, excess_count: 1 });
    expect(waiting.excess).to.deep.equal([
      {
        file_upload_id: second.file_upload_id,
        original_file_name: 'climate.docx',
        reason: 'DUPLICATE_CONTENT',
        duplicate_of: { file_upload_id: first.file_upload_id, original_file_name: 'climate.docx' },
      },
    ]);
    const [event] = await excessEvents(reg.batch_id);
    expect(event!.data).to.include({ reason: 'DUPLICATE_CONTENT' });
    expect(event!.data.duplicate_of).to.deep.equal(waiting.excess[0].duplicate_of);

    await api.upload(reg.batch_id, [{ name: 'energy.txt', content: essay('energy', 80) }]);
    const ready = await api.waitForBatch(reg.batch_id);
    expect(ready.status).to.equal('ready');
    expect(ready.essays.map((e: any) => e.original_file_name).sort()).to.deep.equal([
      'climate.docx',
      'energy.txt',
    ]);
  });

  it('a duplicate across two requests is excess too, and an underfilled batch times out with the right missing_n', async () => {
    const text = essay('the same essay sent twice', 80);
    // the deadline strikes once both uploads are answered, however long extraction took
    const { reg, one, two } = await withDeadlinesHeld(fleet, async () => {
      const reg = await api.register({
        expected_essay_count: 2,
        course_code: 'ENG5',
        readiness_timeout_seconds: 2,
      });
      const one = await api.upload(reg.batch_id, [{ name: 'a.txt', content: text }]);
      await waitFor('the first upload to be applied', async () =>
        settled(await api.batch(reg.batch_id)) === 1 ? true : undefined,
      );
      const two = await api.upload(reg.batch_id, [{ name: 'a (1).txt', content: text }]);
      return { reg, one, two };
    });
    expect(two.body.files[0]).to.include({ excess_reason: 'DUPLICATE_CONTENT' });
    expect(two.body.files[0].duplicate_of.file_upload_id).to.equal(
      one.body.files[0].file_upload_id,
    );
    const batch = await api.waitForBatch(reg.batch_id, 20_000);
    expect(batch).to.include({ status: 'timed_out', ready_count: 1, excess_count: 1 });
    const timedOut = (await api.events(reg.batch_id)).find(
      (e) => e.event_type === 'BatchReadinessTimedOutV1',
    )!;
    expect(timedOut.data).to.include({ missing_n: 1, expected_count: 2, actual_count: 1 });
  });

  it('a DOCX and a PDF of the same essay count as the same text', async () => {
    const paragraphs = [
      'Det här är min uppsats om skolans framtid och om hur eleverna lär sig bäst.',
      'Jag tror att läraren spelar den största rollen, mer än både böcker och datorer.',
    ];
    const docx = buildZip(minimalDocxEntries(paragraphs));
    const pdf = await makePdf([paragraphs]);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'SV1' });
    await api.upload(reg.batch_id, [
      { name: 'uppsats.docx', content: docx },
      { name: 'uppsats.pdf', content: pdf },
    ]);
    const b = await waitFor('both files to be applied', async () => {
      const v = await api.batch(reg.batch_id);
      return settled(v) === 2 ? v : undefined;
    });
    expect(b.status).to.equal('awaiting_content');
    expect(b.essays.map((e: any) => e.original_file_name)).to.deep.equal(['uppsats.docx']);
    expect(b.excess[0]).to.include({
      original_file_name: 'uppsats.pdf',
      reason: 'DUPLICATE_CONTENT',
    });
    expect(b.excess[0].duplicate_of.original_file_name).to.equal('uppsats.docx');
  });

  it('answers an upload to a ready batch with its status, each file to be excess (BATCH_ALREADY_COMPLETED)', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'on-time.txt', content: essay('on time') }]);
    await api.waitForBatch(reg.batch_id);
    const late = await api.upload(reg.batch_id, [{ name: 'late.txt', content: essay('late') }]);
    expect(late.status).to.equal(202);
    expect(late.body.batch_status).to.equal('ready');
    expect(late.body.files[0]).to.include({
      status: 'accepted',
      excess_reason: 'BATCH_ALREADY_COMPLETED',
    });
    const b = await waitFor('the late file to be applied', async () => {
      const v = await api.batch(reg.batch_id);
      return v.excess.length === 1 ? v : undefined;
    });
    expect(b.excess[0]).to.include({
      original_file_name: 'late.txt',
      reason: 'BATCH_ALREADY_COMPLETED',
    });
  });

  it('refuses a second batch_id in one upload (400 DUPLICATE_BATCH_ID) before any file is stored', async () => {
    const a = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const b = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    const blobs = path.join(fleet.config.DATA_DIR, 'blobs');
    const count = () =>
      fs.existsSync(blobs) ? fs.readdirSync(blobs, { recursive: true }).length : 0;
    const before = count();
    const form = new FormData();
    form.append('batch_id', a.batch_id);
    form.append('batch_id', b.batch_id);
    form.append('files', new Blob([essay('which batch?')]), 'x.txt');
    const res = await fetch(`${fleet.url}/v1/files/batch`, { method: 'POST', body: form });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as any).error.code).to.equal('DUPLICATE_BATCH_ID');
    expect(count()).to.equal(before);
  });

  it('names a download with an ASCII fallback and the real name as filename*=UTF-8', async () => {
    const reg = await api.register({ expected_essay_count: 1, course_code: 'SV1' });
    await api.upload(reg.batch_id, [{ name: 'uppsats_åäö.txt', content: essay('namn') }]);
    const b = await api.waitForBatch(reg.batch_id);
    const res = await fetch(`${fleet.url}/v1/essays/${b.essays[0].essay_id}/text`);
    expect(res.headers.get('content-disposition')).to.equal(
      `inline; filename="uppsats_aao.txt"; filename*=UTF-8''uppsats_%C3%A5%C3%A4%C3%B6.txt`,
    );
  });

  it('reads a DOCX holding a PDF as its first entry as the DOCX, and ASCII UTF-16 without a BOM', async () => {
    const pdf = await makePdf([[essay('the text a PDF reader would show', 20)]]);
    const wordText = essay('the text Word shows', 20);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [
      {
        name: 'essay.docx',
        content: buildZip([storedZipEntry('a.pdf', pdf), ...minimalDocxEntries([wordText])]),
      },
      { name: 'old-editor.txt', content: iconv.encode(essay('utf-16 of old'), 'utf16le') },
    ]);
    const b = await api.waitForBatch(reg.batch_id);
    expect(b).to.include({ status: 'ready', ready_count: 2 });
    const docxEssay = b.essays.find((e: any) => e.original_file_name === 'essay.docx');
    const text = await (await fetch(`${fleet.url}/v1/essays/${docxEssay.essay_id}/text`)).text();
    expect(text).to.equal(wordText);
  });
});
