import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { ApiClient, essay } from '../helpers/api.js';
import { makeDocx } from '../helpers/documents.js';
import {
  makePhoto,
  makeTextScan,
  renderTextPng,
  swedishEssay,
  swedishEssay2,
} from '../helpers/scans.js';
import { artifacts, launchChromium, watch } from '../helpers/browser.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

describe('browser: the upload page and the board in headless Chromium', function () {
  this.timeout(120_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let browser: Browser;

  before(async function () {
    this.timeout(600_000);
    fleet = redis.track(
      await startFleet(redis.url, {
        BOARD_USERNAME: 'operator',
        BOARD_PASSWORD: 'correct horse battery',
      }),
    );
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  it('drop three files (one empty): 2 ready, 1 file with no text, the batch complete, spellcheck done', async () => {
    const context = await browser.newContext({
      locale: 'en-GB',
      viewport: { width: 420, height: 900 },
    });
    const page = await context.newPage();
    const requests = watch(page, fleet.url);
    await page.goto(`${fleet.url}/`);
    await page.getByLabel('Course code').fill('ENG5');
    // a real drop: a DataTransfer with three files dispatched on the drop zone
    await page.evaluate(
      ([one, two]) => {
        // runs in the page: the browser's DOM, not Node's
        const w = globalThis as any;
        const dt = new w.DataTransfer();
        dt.items.add(new w.File([one!], 'Åsa – uppsats.txt', { type: 'text/plain' }));
        dt.items.add(new w.File([two!], 'second.txt', { type: 'text/plain' }));
        dt.items.add(new w.File([''], 'empty.txt', { type: 'text/plain' }));
        w.document
          .getElementById('drop')
          .dispatchEvent(
            new w.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
          );
      },
      [essay('the page'), essay('the browser')],
    );
    expect(await page.locator('#chosen-count').textContent()).to.equal('3 files chosen:');
    await page.getByRole('button', { name: 'Register batch and upload' }).press('Enter');
    await page
      .locator('#status', {
        hasText: '2 of 3 essays ready, 1 file could not be read. The batch is complete.',
      })
      .waitFor({ timeout: 30_000 });
    await page
      .locator('#phase', { hasText: 'Spellcheck: 2 of 2 essays checked.' })
      .waitFor({ timeout: 30_000 });
    const table = await page.locator('#results tbody').innerText();
    expect(table).to.include('The file has no text.').and.include('EMPTY_CONTENT');
    expect(table).to.include('Åsa – uppsats.txt');
    expect((table.match(/\bReady\b/g) ?? []).length).to.equal(2);
    expect(table).to.match(/\bNo corrections\b|\b1 correction\b|\b\d+ corrections\b/);
    expect(table).not.to.match(/\(s\)/);
    await page.screenshot({ path: `${artifacts}/upload-page.png`, fullPage: true });
    requests.check();
    await context.close();
  });

  it('a Swedish teacher uploads a DOCX, a scanned PDF and a phone photo: three ready, the page says which OCR read', async () => {
    const context = await browser.newContext({
      locale: 'sv-SE',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${fleet.url}/`);
    await page.getByLabel('Kurskod').fill('SVA1');
    await page.locator('#files').setInputFiles([
      { name: 'uppsats.docx', mimeType: 'application/octet-stream', buffer: await makeDocx() },
      {
        name: 'inskannad.pdf',
        mimeType: 'application/pdf',
        buffer: await makeTextScan(swedishEssay),
      },
      {
        name: 'foto.jpg',
        mimeType: 'image/jpeg',
        buffer: await makePhoto(await renderTextPng(swedishEssay2)),
      },
    ]);
    await page.getByRole('button', { name: 'Registrera omgången och ladda upp' }).click();
    await page
      .locator('#status', { hasText: '3 av 3 uppsatser klara' })
      .waitFor({ timeout: 150_000 });
    const rows = await page.locator('#results tbody tr').allInnerTexts();
    const rowOf = (name: string) => rows.find((r) => r.includes(name)) ?? '';
    expect(rowOf('inskannad.pdf')).to.match(/läst med OCR .*säkerhet \d+ %/);
    expect(rowOf('foto.jpg')).to.match(/läst med OCR .*säkerhet \d+ %/);
    expect(rowOf('uppsats.docx')).to.include('Klar').and.not.include('OCR');
    await page.screenshot({ path: `${artifacts}/upload-page-ocr-sv-1280.png`, fullPage: true });
    await context.close();
  });

  it('asks once for the API token when the API needs one, and keeps it for the tab', async () => {
    const secured = redis.track(
      await startFleet(redis.url, { API_TOKENS: 'page-test-token-0123456789' }),
    );
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    let asked = 0;
    page.on('dialog', (dialog) => {
      asked++;
      void dialog.accept('page-test-token-0123456789');
    });
    await page.goto(`${secured.url}/`);
    await page.locator('#files').setInputFiles([
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from(essay('token a')) },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from(essay('token b')) },
    ]);
    await page.getByRole('button', { name: 'Register batch and upload' }).click();
    await page
      .locator('#status', { hasText: '2 of 2 essays ready. The batch is complete.' })
      .waitFor({ timeout: 30_000 });
    expect(asked).to.equal(1);
    await context.close();
  });

  it('serves the API reference from the generated OpenAPI document', async () => {
    const page = await browser.newPage();
    await page.goto(`${fleet.url}/docs`);
    await page.locator('h2', { hasText: 'POST /v1/batches/register' }).waitFor();
    const spec: any = await (await fetch(`${fleet.url}/openapi.json`)).json();
    expect(spec.openapi).to.match(/^3\./);
    expect(Object.keys(spec.paths)).to.include.members([
      '/v1/batches/register',
      '/v1/files/batch',
      '/v1/batches/{batch_id}',
      '/v1/batches/{batch_id}/events',
      '/v1/essays/{essay_id}/text',
    ]);
    expect(spec.components.schemas.BatchRegistration.required).to.include.members([
      'expected_essay_count',
      'course_code',
    ]);
    await page.close();
  });

  it('renders the event catalogue at /docs/events from the AsyncAPI document, all from its own origin', async () => {
    const page = await browser.newPage();
    const requests = watch(page, fleet.url);
    await page.goto(`${fleet.url}/docs/events`);
    await page.locator('h2', { hasText: '/v1/batches/{batch_id}/events' }).waitFor();
    await page.locator('summary', { hasText: 'BatchEssaysReadyV1' }).first().click();
    await page.locator('pre', { hasText: '"ready_essays"' }).first().waitFor();
    await page.locator('h2', { hasText: 'Webhook deliveries' }).waitFor();
    await page.screenshot({ path: `${artifacts}/docs-events.png`, fullPage: true });
    requests.check();
    await page.close();
  });

  it('loads the board behind its login, listing every queue, all from its own origin', async () => {
    expect((await fetch(`${fleet.url}/admin/queues`)).status).to.equal(401);
    // the login as a browser sends it after the challenge (Basic), on every request of the board
    const auth = `Basic ${Buffer.from('operator:correct horse battery').toString('base64')}`;
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: auth } });
    const page = await context.newPage();
    const requests = watch(page, fleet.url);
    await page.goto(`${fleet.url}/admin/queues`);
    for (const name of [
      'essay.extract',
      'essay.upload',
      'batch.lifecycle',
      'batch.orchestrate',
      'essay.spellcheck',
      'webhook.deliver',
      'essay.processing.dlq',
    ])
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 20_000 });
    // a queue's page and a job list too: the board loads more of its code there
    await page.getByText('essay.extract', { exact: true }).first().click();
    await page.waitForURL(/\/queue\/essay\.extract/);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${artifacts}/board.png` });
    requests.check();
    const csp = (await fetch(`${fleet.url}/admin/queues`, { headers: { authorization: auth } }))
      .headers;
    expect(csp.get('content-security-policy')).to.match(/default-src 'self'/);
    await context.close();
  });

  it("downloads an essay under the student's own file name, uppsats_åäö.txt", async () => {
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'SV1' });
    await api.upload(reg.batch_id, [{ name: 'uppsats_åäö.txt', content: essay('ett namn') }]);
    const batch = await api.waitForBatch(reg.batch_id);
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${fleet.url}/`);
    const download = page.waitForEvent('download');
    // a link that asks for a download and leaves the name to the server's Content-Disposition
    await page.evaluate((href) => {
      const doc = (globalThis as any).document;
      const a = doc.createElement('a');
      a.href = href;
      a.download = '';
      doc.body.append(a);
      a.click();
    }, `/v1/essays/${batch.essays[0].essay_id}/text`);
    expect((await download).suggestedFilename()).to.equal('uppsats_åäö.txt');
    await context.close();
  });
});
