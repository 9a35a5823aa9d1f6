import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { ApiClient, essay } from '../helpers/api.js';
import { artifacts, launchChromium, seriousViolations, watch } from '../helpers/browser.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

const shots = path.join(artifacts, 'upload-page');
const WIDTHS = [390, 1280];
const TYPOS =
  'This esay is about speling and the blorptastic river. It has a few more sentences, so that it is long enough to count as a real essay.';
const LIMIT = 4096; // MAX_FILE_BYTES of this suite's fleet: one file is over it

/** Words the page must show in each language: the outcome sentences, not the codes alone. */
const words = {
  en: {
    locale: 'en-GB',
    empty: 'The file has no text.',
    short: 'The text is too short to be an essay.',
    tooLarge: 'The file is larger than the upload limit.',
    duplicate: 'Duplicate: another file of this batch has the same content.',
    sameAs: (name: string) => `Same content as “${name}”.`,
    late: 'Late: the batch was already complete when this file arrived.',
    summary:
      /^3 of 6 essays ready, 3 files could not be read, 1 file not counted \(duplicate or late\)\. The batch is complete\.$/,
    phase: /Spellcheck: 3 of 3 essays checked/,
    submit: 'Register batch and upload',
    show: 'Show corrected text of typos.txt',
    checkedIn: 'Checked in English',
    oneUnknown: '2 corrections, 1 unknown word',
    uploading: 'Uploading 7 files…',
    chosen: '7 files chosen:',
    afterLate: /2 files not counted \(duplicates or late\)/,
  },
  sv: {
    locale: 'sv-SE',
    empty: 'Filen är tom – den har ingen text.',
    short: 'Texten är för kort för att vara en uppsats.',
    tooLarge: 'Filen är större än vad som får laddas upp.',
    duplicate: 'Dubblett: en annan fil i omgången har samma innehåll.',
    sameAs: (name: string) => `Samma innehåll som ”${name}”.`,
    late: 'Sen: omgången var redan komplett när filen kom.',
    summary:
      /^3 av 6 uppsatser klara, 3 filer kunde inte läsas, 1 fil räknas inte \(dubblett eller sen\)\. Omgången är komplett\.$/,
    phase: /Rättstavning: 3 av 3 uppsatser kontrollerade/,
    submit: 'Registrera omgången och ladda upp',
    show: 'Visa rättad text för typos.txt',
    checkedIn: 'Kontrollerad på engelska',
    oneUnknown: '2 rättelser, 1 okänt ord',
    uploading: 'Laddar upp 7 filer…',
    chosen: '7 filer valda:',
    afterLate: /2 filer räknas inte \(dubbletter eller sena\)/,
  },
} as const;

/** Seven files: three good (one with typos), one empty, one too short, a duplicate, one over the size limit. */
const FILES = [
  { name: 'first.txt', text: essay('the first') },
  { name: 'typos.txt', text: TYPOS },
  { name: 'Åsa Öberg – uppsats om klimatet och framtiden.txt', text: essay('the climate') },
  { name: 'empty.txt', text: '' },
  { name: 'kortuppsats_klimatforandringarnas_konsekvenser_for_jordbruket.txt', text: 'Ten chars.' },
  { name: 'copy of first.txt', text: essay('the first') },
];
const BIG = { name: 'huge scan.txt', text: 'x'.repeat(LIMIT + 1) };

describe('browser: every state of the upload page, in Swedish and English, on a phone and a desktop', function () {
  this.timeout(180_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let browser: Browser;

  before(async function () {
    this.timeout(600_000);
    fleet = redis.track(await startFleet(redis.url, { MAX_FILE_BYTES: String(LIMIT) }));
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  });
  after(async () => browser?.close());

  /** At each width: nothing scrolls sideways, axe finds nothing serious, a screenshot is kept. */
  async function state(page: Page, lang: string, name: string) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => {
        const doc = (globalThis as any).document.documentElement;
        return doc.scrollWidth - doc.clientWidth;
      });
      expect(overflow, `${lang} ${name} at ${width} px scrolls sideways`).to.be.at.most(0);
      // names and messages get room: no File column of 30 px, no code broken over two lines
      const layout = await page.evaluate(() => {
        const doc = (globalThis as any).document;
        const cell = doc.querySelector('#results tbody td');
        const broken = [...doc.querySelectorAll('code.code')].filter((c: any) => {
          const range = doc.createRange();
          range.selectNodeContents(c);
          return range.getClientRects().length > 1;
        });
        return {
          fileCell: cell ? cell.getBoundingClientRect().width : null,
          brokenCodes: broken.map((c: any) => c.textContent),
        };
      });
      expect(layout.brokenCodes, `${lang} ${name} at ${width} px`).to.deep.equal([]);
      if (layout.fileCell !== null)
        expect(layout.fileCell, `${lang} ${name} at ${width} px: the File column`).to.be.at.least(
          width < 600 ? 300 : 200,
        );
      expect(await seriousViolations(page), `axe on ${lang} ${name} at ${width} px`).to.deep.equal(
        [],
      );
      await page.screenshot({
        path: path.join(shots, `${lang}-${name}-${width}.png`),
        fullPage: true,
      });
    }
  }

  const dropFiles = (page: Page, files: { name: string; text: string }[]) =>
    page.evaluate((list) => {
      // runs in the page: the browser's DOM, not Node's
      const w = globalThis as any;
      const dt = new w.DataTransfer();
      for (const f of list) dt.items.add(new w.File([f.text], f.name, { type: 'text/plain' }));
      w.document
        .getElementById('drop')
        .dispatchEvent(
          new w.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
    }, files);

  for (const lang of ['sv', 'en'] as const)
    it(`${lang}: empty, chosen, uploading, mixed outcomes with a duplicate, a late file, the corrected text`, async () => {
      const w = words[lang];
      const context = await browser.newContext({ locale: w.locale });
      const page = await context.newPage();
      const requests = watch(page, fleet.url);
      await page.goto(`${fleet.url}/`);
      // the browser's language, without a choice made
      expect(await page.getAttribute('html', 'lang')).to.equal(lang);
      await state(page, lang, '1-empty');

      // chosen: after a drop, the picker itself and the list beside it name the files
      await dropFiles(page, [...FILES, BIG]);
      expect(await page.locator('#chosen-count').textContent()).to.equal(w.chosen);
      expect(await page.locator('#chosen-list li').allTextContents()).to.deep.equal([
        ...FILES.map((f) => f.name),
        BIG.name,
      ]);
      expect(await page.locator('#files').evaluate((i: any) => i.files.length)).to.equal(7);
      await state(page, lang, '2-chosen');

      // uploading: the uploads held until the state is seen
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const routed: Promise<void>[] = [];
      await page.route('**/v1/files/batch', (route: Route) => {
        routed.push(held.then(() => route.continue()));
      });
      await page.getByRole('button', { name: w.submit }).click();
      await page.locator('#status', { hasText: w.uploading }).waitFor({ timeout: 10_000 });
      await state(page, lang, '3-uploading');
      release();
      await Promise.all(routed);
      await page.unroute('**/v1/files/batch');

      // done: each outcome in words, its code beside it, the batch summed up in a sentence
      const status = page.locator('#status');
      await page
        .locator('#phase', { hasText: w.phase })
        .waitFor({ timeout: 30_000 })
        .catch(async (err) => {
          throw new Error(
            `${err.message}\nstatus: ${await status.textContent()}\n${await page.locator('#results').innerText()}\n${JSON.stringify(await new ApiClient(fleet.url).batch((await page.locator('#batch-id').textContent())!))}`,
          );
        });
      expect(await status.textContent()).to.match(w.summary);
      expect(await status.textContent(), 'the batch id is not in the sentence').not.to.match(
        /[0-9a-f]{8}-/,
      );
      const batchId = (await page.locator('#batch-id').textContent())!;
      expect(batchId).to.match(/^[0-9a-f-]{36}$/);
      const results = page.locator('#results tbody');
      for (const text of [w.empty, 'EMPTY_CONTENT', w.short, 'CONTENT_TOO_SHORT', w.tooLarge])
        expect(await results.innerText()).to.include(text);
      // a duplicate: shown as such, naming the file it repeats (which of the two files is the
      // copy depends on which was read first: the uploads run side by side)
      const duplicates = page.locator('#results tr', {
        has: page.locator('.verdict', { hasText: w.duplicate }),
      });
      expect(await duplicates.count()).to.equal(1);
      const dupText = await duplicates.innerText();
      const copy = await duplicates.locator('.name').textContent();
      const original = copy === FILES[5]!.name ? FILES[0]!.name : FILES[5]!.name;
      expect([FILES[0]!.name, FILES[5]!.name]).to.include(copy);
      expect(dupText).to.include(w.sameAs(original));
      await state(page, lang, '4-done-mixed-duplicate');
      const api = new ApiClient(fleet.url);

      // a late file, from another client, after the batch was complete
      await api.upload(batchId, [{ name: 'late.txt', content: essay('arriving late') }]);
      const lateRow = page.locator('#results tr', { hasText: 'late.txt' });
      await lateRow.locator('.verdict', { hasText: w.late }).waitFor({ timeout: 20_000 });
      await status.filter({ hasText: w.afterLate }).waitFor({ timeout: 5_000 });
      await state(page, lang, '6-late');

      // the corrected text against the original, each change marked, the language it was checked in
      await page.getByRole('button', { name: w.show }).click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('ins', { hasText: 'essay' }).waitFor({ timeout: 10_000 });
      expect(await dialog.locator('del').allTextContents()).to.include.members(['esay', 'speling']);
      expect(await dialog.locator('ins').allTextContents()).to.include.members([
        'essay',
        'spelling',
      ]);
      expect(await dialog.locator('#corrected-lang').textContent()).to.equal(w.checkedIn);
      // a word the checker flagged and left as written
      expect(await dialog.locator('#unknown-words').innerText()).to.include('blorptastic');
      expect(await page.locator('#results tr', { hasText: 'typos.txt' }).innerText()).to.include(
        w.oneUnknown,
      );
      await state(page, lang, '7-corrected');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      requests.check();
      await context.close();
    });

  it('switches language on the page and keeps the choice; plurals follow', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${fleet.url}/`);
    await page
      .locator('#files')
      .setInputFiles([
        { name: 'one.txt', mimeType: 'text/plain', buffer: Buffer.from(essay('one')) },
      ]);
    expect(await page.locator('#chosen-count').textContent()).to.equal('1 file chosen:');
    await page.getByRole('button', { name: 'Svenska' }).click();
    expect(await page.getAttribute('html', 'lang')).to.equal('sv');
    expect(await page.locator('#chosen-count').textContent()).to.equal('1 fil vald:');
    expect(
      await page.getByRole('button', { name: 'Svenska' }).getAttribute('aria-pressed'),
    ).to.equal('true');
    await page.reload();
    expect(await page.locator('h1').textContent()).to.equal('Inlämning av uppsatser');
    await context.close();
  });

  it('a message stands next to its control: submitting with no file says so under the picker', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${fleet.url}/`);
    await page.getByRole('button', { name: words.en.submit }).click();
    const error = page.locator('#files-error');
    expect(await error.textContent()).to.equal('Choose at least one file first.');
    expect(await page.locator('#files').getAttribute('aria-describedby')).to.include('files-error');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).to.equal(
      'files',
    );
    expect(await seriousViolations(page)).to.deep.equal([]);
    await context.close();
  });

  it('works by keyboard alone: course, files, upload, copy the batch id, open and close a corrected text', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: fleet.url });
    const page = await context.newPage();
    await page.goto(`${fleet.url}/`);
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.id ?? '');
    /** Tab until the element matching `is` has focus, within a bound. */
    async function tabTo(is: () => Promise<boolean>, what: string) {
      for (let i = 0; i < 40; i++) {
        if (await is()) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${what}`);
    }
    await tabTo(async () => (await focused()) === 'course', 'the course code');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('ENG7');
    await tabTo(async () => (await focused()) === 'files', 'the file picker');
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Space');
    await (
      await chooser
    ).setFiles([{ name: 'typos.txt', mimeType: 'text/plain', buffer: Buffer.from(TYPOS) }]);
    await tabTo(async () => (await focused()) === 'submit', 'the submit button');
    await page.keyboard.press('Enter');
    await page.locator('#phase', { hasText: /Spellcheck: 1 of 1 essay checked/ }).waitFor({
      timeout: 30_000,
    });
    // the batch id, for support: in a detail, copied with its button
    const isFocused = (selector: string) => () =>
      page.locator(selector).evaluate((n) => n === (globalThis as any).document.activeElement);
    await tabTo(isFocused('#batch-details summary'), 'the batch id detail');
    await page.keyboard.press('Enter');
    await tabTo(isFocused('#copy-id'), 'the copy button');
    await page.keyboard.press('Enter');
    await page.locator('#copy-done', { hasText: 'Copied' }).waitFor({ timeout: 5_000 });
    const copied = await page.evaluate(() => (globalThis as any).navigator.clipboard.readText());
    expect(copied).to.equal(await page.locator('#batch-id').textContent());
    expect(copied).to.match(/^[0-9a-f-]{36}$/);
    const open = page.getByRole('button', { name: words.en.show });
    await tabTo(
      () => open.evaluate((b) => b === (globalThis as any).document.activeElement),
      'Show corrected text',
    );
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.locator('ins', { hasText: 'essay' }).waitFor({ timeout: 10_000 });
    expect(await focused()).to.equal('close-corrected');
    expect(await seriousViolations(page)).to.deep.equal([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await open.evaluate((b) => b === (globalThis as any).document.activeElement)).to.equal(
      true,
    );
    await context.close();
  });
});
