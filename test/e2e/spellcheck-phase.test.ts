import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ApiClient } from '../helpers/api.js';
import { withDeadlinesHeld } from '../helpers/deadlines.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('e2e: upload to the spellcheck phase outcome', function () {
  this.timeout(90_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let api: ApiClient;

  before(async () => {
    fleet = redis.track(await startFleet(redis.url));
    api = new ApiClient(fleet.url);
  });

  async function phaseOf(batchId: string) {
    return waitFor(
      `the spellcheck phase of ${batchId} to complete`,
      async () => {
        const events = await api.events(batchId);
        return events.find((e) => e.event_type === 'BatchPhaseCompletedV1') ? events : undefined;
      },
      60_000,
    );
  }

  it('English: corrects "esay" and "speling", publishes the phase outcome once, serves the corrected text', async () => {
    const typo =
      'This esay is about speling. It has a few more sentences, so that it is long enough to count as a real essay.';
    const reg = await api.register({ expected_essay_count: 3, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [
      { name: 'typos.txt', content: typo },
      { name: 'clean.txt', content: fixture('clean-en.txt') },
      { name: 'empty.txt', content: '' },
    ]);
    const events = await phaseOf(reg.batch_id);
    const phase = events.filter((e) => e.event_type === 'BatchPhaseCompletedV1');
    expect(phase).to.have.length(1);
    expect(phase[0]!.data).to.include({
      phase: 'spellcheck',
      outcome: 'COMPLETED_SUCCESSFULLY',
      essays_total: 2,
      essays_succeeded: 2,
      essays_failed: 0,
    });
    const checks = events.filter((e) => e.event_type === 'SpellCheckCompletedV1');
    expect(checks).to.have.length(2);

    const batch = await api.batch(reg.batch_id);
    expect(batch.phases.spellcheck).to.include({
      status: 'completed',
      outcome: 'COMPLETED_SUCCESSFULLY',
    });
    const typoEssay = batch.essays.find((e: any) => e.original_file_name === 'typos.txt');
    expect(typoEssay.spellcheck).to.include({ status: 'completed', corrections_made: 2 });
    const check = checks.find((e) => e.data.essay_id === typoEssay.essay_id)!;
    expect(check.data).to.include({
      batch_id: reg.batch_id,
      status: 'completed',
      corrections_made: 2,
    });
    expect((check.data.misspellings as any[]).map((m) => m.word)).to.deep.equal([
      'esay',
      'speling',
    ]);
    expect(check.data.corrected_text_storage_id).to.match(/^[0-9a-f]{64}$/);

    const corrected = await fetch(
      `${fleet.url}/v1/essays/${typoEssay.essay_id}/text?variant=corrected`,
    );
    expect(await corrected.text()).to.equal(
      typo.replace('esay', 'essay').replace('speling', 'spelling'),
    );
    const original = await fetch(`${fleet.url}/v1/essays/${typoEssay.essay_id}/text`);
    expect(await original.text()).to.equal(typo);
    const cleanEssay = batch.essays.find((e: any) => e.original_file_name === 'clean.txt');
    expect(cleanEssay.spellcheck.corrections_made).to.be.at.most(2);
  });

  async function correctedText(essayId: string) {
    return (await fetch(`${fleet.url}/v1/essays/${essayId}/text?variant=corrected`)).text();
  }

  it('Swedish (course code SV…): corrects clear slips (å/ä/ö too), leaves an unclear one with its suggestions', async () => {
    const text =
      'Det var flikor på sjukhusset som skrev en uppsatts om hur skolan kan bli bättre för alla elever. ' +
      'Sedan gick vi hem pa eftermiddagen och åt middag tillsammans med hela familjen.';
    const reg = await api.register({ expected_essay_count: 1, course_code: 'SVA1' });
    await api.upload(reg.batch_id, [{ name: 'uppsats.txt', content: text }]);
    const events = await phaseOf(reg.batch_id);
    const batch = await api.batch(reg.batch_id);
    expect(batch.language).to.equal('sv');
    expect(await correctedText(batch.essays[0].essay_id)).to.equal(
      text.replace('flikor', 'flickor').replace('sjukhusset', 'sjukhuset').replace(' pa ', ' på '),
    );
    const check = events.find((e) => e.event_type === 'SpellCheckCompletedV1')!.data as any;
    expect(check).to.include({ language_detected: 'sv', language_checked: 'sv', skipped: null });
    expect(
      check.corrections.map((c: any) => [
        c.word,
        c.replacement,
        text.slice(c.offset, c.offset + c.word.length),
      ]),
    ).to.deep.equal([
      ['flikor', 'flickor', 'flikor'],
      ['sjukhusset', 'sjukhuset', 'sjukhusset'],
      ['pa', 'på', 'pa'],
    ]);
    expect(check.unknown_words).to.have.length(1);
    expect(check.unknown_words[0]).to.include({ word: 'uppsatts' });
    expect(check.unknown_words[0].suggestions).to.include('uppsats');
  });

  it('checks each essay in its own language: a Swedish and a British essay in ENG5, an American one in SV1 come back unchanged', async () => {
    const eng = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const sv = await api.register({ expected_essay_count: 1, course_code: 'SV1' });
    await api.upload(eng.batch_id, [
      { name: 'svenska.txt', content: fixture('clean-sv-prose.txt') },
      { name: 'british.txt', content: fixture('clean-en-gb.txt') },
    ]);
    await api.upload(sv.batch_id, [{ name: 'american.txt', content: fixture('clean-en-us.txt') }]);
    for (const [reg, files] of [
      [
        eng,
        { 'svenska.txt': ['sv', 'clean-sv-prose.txt'], 'british.txt': ['en', 'clean-en-gb.txt'] },
      ],
      [sv, { 'american.txt': ['en', 'clean-en-us.txt'] }],
    ] as const) {
      const events = await phaseOf(reg.batch_id);
      const batch = await api.batch(reg.batch_id);
      for (const essay of batch.essays) {
        const [written, file] = (files as Record<string, readonly [string, string]>)[
          essay.original_file_name
        ]!;
        expect(essay.spellcheck, file).to.include({
          status: 'completed',
          corrections_made: 0,
          language_detected: written,
          skipped: null,
        });
        const check = events.find(
          (e) => e.event_type === 'SpellCheckCompletedV1' && e.data.essay_id === essay.essay_id,
        )!;
        expect(check.data, file).to.include({
          language_detected: written,
          language_checked: written,
          corrections_made: 0,
        });
        // the extracted text (normalised), not the file: the check changes not a character of it
        const original = await (
          await fetch(`${fleet.url}/v1/essays/${essay.essay_id}/text`)
        ).text();
        expect(original.length, file).to.be.above(4000);
        expect(await correctedText(essay.essay_id), file).to.equal(original);
      }
    }
  });

  it('a timed-out batch spellchecks the essays that are ready; a batch with none fails the phase critically', async () => {
    const reg = await withDeadlinesHeld(fleet, async () => {
      const reg = await api.register({
        expected_essay_count: 3,
        course_code: 'ENG5',
        readiness_timeout_seconds: 1,
      });
      await api.upload(reg.batch_id, [{ name: 'one.txt', content: fixture('clean-en.txt') }]);
      return reg;
    });
    const events = await phaseOf(reg.batch_id);
    expect(events.some((e) => e.event_type === 'BatchReadinessTimedOutV1')).to.equal(true);
    expect(events.find((e) => e.event_type === 'BatchPhaseCompletedV1')!.data).to.include({
      outcome: 'COMPLETED_SUCCESSFULLY',
      essays_total: 1,
    });

    const none = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(none.batch_id, [{ name: 'empty.txt', content: '' }]);
    const noneEvents = await phaseOf(none.batch_id);
    expect(noneEvents.find((e) => e.event_type === 'BatchPhaseCompletedV1')!.data).to.include({
      outcome: 'FAILED_CRITICALLY',
      essays_total: 0,
    });
  });
});
