import { expect } from 'chai';
import { QueueName } from '../../src/queues/names.js';
import { ApiClient } from '../helpers/api.js';
import { makeDocx, swedishSample } from '../helpers/documents.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import {
  characterErrorRate,
  englishEssay,
  englishEssay2,
  makeBlankAndNoise,
  makeImagePdf,
  makePhoto,
  makeTextScan,
  renderTextPng,
  swedishEssay,
  swedishEssay2,
} from '../helpers/scans.js';

/** Scans and phone photos made here go through the whole fleet, OCR role included. */
describe('e2e: OCR of scanned PDFs and phone photos', function () {
  this.timeout(180_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    // the roles a file passes through on its way to its batch: no spellcheck, no clocks
    fleet = redis.track(
      await startFleet(redis.url, {}, [QueueName.extract, QueueName.upload, QueueName.ocr]),
    );
    api = new ApiClient(fleet.url);
  });

  const textOf = async (essayId: string) => {
    const res = await fetch(`${fleet.url}/v1/essays/${essayId}/text`);
    expect(res.status).to.equal(200);
    return res.text();
  };

  it('a Swedish batch with a DOCX, a scanned PDF and a phone photo becomes ready with three readable texts, the OCR ones marked', async () => {
    const files = [
      { name: 'uppsats Åsa.docx', content: await makeDocx([swedishSample]) },
      { name: 'inskannad.pdf', content: await makeTextScan(swedishEssay) },
      {
        name: 'foto från mobilen.jpg',
        content: await makePhoto(await renderTextPng(swedishEssay2)),
      },
    ];
    const reg = await api.register({ expected_essay_count: 3, course_code: 'SVA1' });
    const up = await api.upload(reg.batch_id, files);
    expect(up.status).to.equal(202);
    const batch = await api.waitForBatch(reg.batch_id, 150_000);
    expect(batch).to.include({ status: 'ready', ready_count: 3, failed_count: 0, excess_count: 0 });

    const byName = Object.fromEntries(batch.essays.map((e: any) => [e.original_file_name, e]));
    expect(byName['uppsats Åsa.docx']).to.not.have.property('text_source');
    for (const [name, truth, most] of [
      ['inskannad.pdf', swedishEssay, 0.02],
      ['foto från mobilen.jpg', swedishEssay2, 0.05],
    ] as const) {
      const essay = byName[name];
      expect(essay, name).to.include({ text_source: 'ocr' });
      expect(essay.ocr_confidence, name).to.be.within(60, 100);
      const text = await textOf(essay.essay_id);
      expect(text).to.match(/[åäö]/);
      expect(characterErrorRate(truth.join('\n'), text), `${name}: ${text}`).to.be.below(most);
    }

    // the event says so too, with the confidence
    const provisioned = (await api.events(reg.batch_id)).filter(
      (e) => e.event_type === 'EssayContentProvisionedV1',
    );
    expect(provisioned).to.have.length(3);
    const ocrEvents = provisioned.filter((e) => e.data.text_source === 'ocr');
    expect(ocrEvents.map((e) => e.data.original_file_name).sort()).to.deep.equal(
      ['foto från mobilen.jpg', 'inskannad.pdf'].sort(),
    );
    for (const e of ocrEvents) expect(e.data.ocr_confidence).to.be.a('number');
  });

  it('English scans and photos are read; a blank page and random noise are no essay', async () => {
    const { blank, noise } = await makeBlankAndNoise();
    const files = [
      { name: 'scan.pdf', content: await makeTextScan(englishEssay) },
      { name: 'photo.jpg', content: await makePhoto(await renderTextPng(englishEssay2)) },
      { name: 'blank.pdf', content: await makeImagePdf([blank]) },
      { name: 'noise.png', content: noise },
    ];
    const reg = await api.register({ expected_essay_count: 4, course_code: 'ENG5' });
    expect((await api.upload(reg.batch_id, files)).status).to.equal(202);
    const batch = await api.waitForBatch(reg.batch_id, 150_000);
    expect(batch).to.include({ status: 'ready', ready_count: 2, failed_count: 2 });

    const byName = Object.fromEntries(batch.essays.map((e: any) => [e.original_file_name, e]));
    expect(
      characterErrorRate(englishEssay.join('\n'), await textOf(byName['scan.pdf'].essay_id)),
    ).to.be.below(0.02);
    expect(
      characterErrorRate(englishEssay2.join('\n'), await textOf(byName['photo.jpg'].essay_id)),
    ).to.be.below(0.05);
    for (const f of batch.validation_failures)
      expect(f.error_code, f.original_file_name).to.be.oneOf([
        'EMPTY_CONTENT',
        'OCR_LOW_CONFIDENCE',
      ]);
    expect(batch.validation_failures.map((f: any) => f.original_file_name).sort()).to.deep.equal([
      'blank.pdf',
      'noise.png',
    ]);
  });
});
