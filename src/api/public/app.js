// The upload page: register a batch for the chosen files, upload each with its own progress,
// then follow the batch's event stream: each file's outcome, readiness, spellcheck. Every word
// comes from i18n.js, in the browser's language (Swedish or English) or the one switched to.
import { CorrectedView } from './corrected.js';
import { el } from './dom.js';
import { pickLanguage, translator } from './i18n.js';
import { Results } from './results.js';
import { essaysIn, followEvents, sendFile } from './transport.js';

const $ = (id) => document.getElementById(id);
const form = $('batch-form');
const input = $('files');
const drop = $('drop');
const LANG_KEY = 'essay-page-lang';
let t = translator(localStorage.getItem(LANG_KEY) ?? pickLanguage(navigator.languages));
let files = [];
/** What the status line says, kept as data so a language switch can say it again. */
const batch = { id: '', expected: 0, state: 'none', missing: 0, phase: null };

/** The API token, asked once when the API says 401, kept for this tab. */
function token() {
  return sessionStorage.getItem('essay-api-token');
}
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (token()) headers.set('authorization', `Bearer ${token()}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 && !init.retried) {
    const answer = window.prompt(t('tokenPrompt'));
    if (answer) {
      sessionStorage.setItem('essay-api-token', answer.trim());
      return api(path, { ...init, retried: true });
    }
  }
  return res;
}

const corrected = new CorrectedView(api);
const results = new Results($('results'), (entry, opener) => corrected.open(entry, opener, t));

/** A message beside the control it is about (and named by its aria-describedby). */
function say(id, text, control) {
  $(id).textContent = text ?? '';
  $(id).hidden = !text;
  if (control) control.toggleAttribute('aria-invalid', Boolean(text));
}

function drawChosen() {
  $('chosen-count').textContent = files.length ? t('chosen', { n: files.length }) : t('noneChosen');
  $('chosen-list').replaceChildren(...files.map((f) => el('li', f.name)));
}

function choose(list) {
  files = [...list];
  say('files-error', '', input);
  drawChosen();
}
input.addEventListener('change', () => choose(input.files));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  // the picker then names the dropped files too, rather than "no file chosen"
  try {
    input.files = e.dataTransfer.files;
  } catch {
    // an older browser keeps its own picker text; the list below names them anyway
  }
  choose(e.dataTransfer.files);
});

/** The batch in words: "24 of 25 essays ready, 1 file could not be read. …" */
function drawStatus() {
  const status = $('status');
  if (batch.state === 'none') return (status.textContent = t('noBatch'));
  if (batch.state === 'registering') return (status.textContent = t('registering'));
  if (batch.state === 'uploading')
    return (status.textContent = t('uploading', { n: results.entries.length }));
  const ready = results.count('ready');
  const failed = results.count('failed') + results.count('uploadFailed');
  const extra = results.count('excess');
  const parts = [t('essaysReady', { n: ready, total: batch.expected })];
  if (failed) parts.push(t('filesUnreadable', { n: failed }));
  if (extra) parts.push(t('filesExtra', { n: extra }));
  const pending = results.entries.length - ready - failed - extra;
  const tail =
    batch.state === 'ready'
      ? t('batchReady')
      : batch.state === 'timed_out'
        ? t('batchTimedOut', { n: batch.missing })
        : pending > 0
          ? t('processing')
          : '';
  const missing = batch.expected - ready - failed;
  if (!tail && missing > 0) parts.push(t('stillWaiting', { n: missing }));
  status.textContent = `${parts.join(', ')}. ${tail}`.trim();
  const p = batch.phase;
  $('phase').textContent = p
    ? [
        t('spellcheckDone', { done: p.essays_succeeded, n: p.essays_total }),
        p.outcome === 'COMPLETED_SUCCESSFULLY' ? '' : `(${t.code(p.outcome)})`,
      ].join(' ')
    : '';
}

function drawBatchId() {
  $('batch-details').hidden = !batch.id;
  $('batch-id').textContent = batch.id;
}
$('copy-id').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(batch.id);
    $('copy-done').textContent = t('copied');
  } catch {
    // no clipboard (an insecure origin): select the id for a manual copy
    getSelection().selectAllChildren($('batch-id'));
  }
});

/** Every text of the page in one language; the switch and the first load both come here. */
function setLanguage(lang) {
  t = translator(lang);
  document.documentElement.lang = t.lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  for (const b of document.querySelectorAll('button.lang'))
    b.setAttribute('aria-pressed', String(b.dataset.lang === t.lang));
  drawChosen();
  results.redraw(t);
  drawStatus();
  if (corrected.dialog.open) corrected.draw(t);
  if ($('copy-done').textContent) $('copy-done').textContent = t('copied');
}
for (const b of document.querySelectorAll('button.lang'))
  b.addEventListener('click', () => {
    localStorage.setItem(LANG_KEY, b.dataset.lang);
    setLanguage(b.dataset.lang);
  });

/** One file's upload, its progress in its row, its answer as the file's first outcome. */
async function upload(batchId, file, entry) {
  const { status, answer } = await sendFile(batchId, file, token(), (percent) =>
    results.setProgress(entry, percent),
  );
  results.setProgress(entry, 100);
  if (status === 0) entry.outcome = { kind: 'uploadFailed', reason: t('networkError') };
  else if (status !== 202)
    entry.outcome = { kind: 'uploadFailed', code: answer.error?.code ?? String(status) };
  else {
    const f = answer.files[0];
    results.link(entry, f.file_upload_id);
    if (f.status === 'rejected') entry.outcome = { kind: 'failed', code: f.error_code };
    else if (f.excess_reason)
      entry.outcome = {
        kind: 'excess',
        code: f.excess_reason,
        duplicateOf: f.duplicate_of?.original_file_name,
      };
    else entry.outcome = { kind: 'extracting' };
  }
  results.draw(entry);
}

function onEvent(type, e) {
  // a live notice: a file finished, before its upload is applied (it carries its fields itself)
  if (type === 'notice') {
    const entry = results.forFile(e.file_upload_id);
    if (entry && ['waiting', 'extracting'].includes(entry.outcome.kind)) {
      entry.outcome = { kind: 'finishing' };
      results.draw(entry);
    }
    return;
  }
  const d = e.data;
  const entry = d.file_upload_id
    ? results.forFile(d.file_upload_id, d.original_file_name)
    : results.byEssay.get(d.essay_id);
  switch (type) {
    case 'EssayContentProvisionedV1':
      // a teacher should know which texts a machine read from a scan or photo, and how surely
      entry.outcome =
        d.text_source === 'ocr'
          ? { kind: 'ready', ocrConfidence: Math.round(d.ocr_confidence ?? 0) }
          : { kind: 'ready' };
      break;
    case 'EssayValidationFailedV1':
      entry.outcome = { kind: 'failed', code: d.error_code };
      break;
    case 'ExcessContentProvisionedV1':
      entry.outcome = {
        kind: 'excess',
        code: d.reason,
        duplicateOf: d.duplicate_of?.original_file_name,
      };
      break;
    case 'BatchEssaysReadyV1':
    case 'BatchReadinessTimedOutV1':
      for (const essay of d.ready_essays) {
        const r = results.forFile(essay.file_upload_id, essay.original_file_name);
        results.linkEssay(r, essay.essay_id);
      }
      batch.state = type === 'BatchEssaysReadyV1' ? 'ready' : 'timed_out';
      batch.missing = d.missing_n ?? 0;
      break;
    case 'BatchEssayRevivedV1':
      results.linkEssay(
        results.forFile(d.essay.file_upload_id, d.essay.original_file_name),
        d.essay.essay_id,
      );
      break;
    case 'SpellCheckCompletedV1':
      if (entry) entry.spell = d;
      break;
    case 'BatchPhaseCompletedV1':
      batch.phase = d;
      break;
    default:
      return;
  }
  if (entry) results.draw(entry);
  drawStatus();
}

/** The form's own checks, each message beside its control, in the page's language. */
function valid() {
  const course = form.course;
  const courseOk = course.checkValidity();
  say('course-error', courseOk ? '' : t('courseInvalid'), course);
  say('files-error', files.length ? '' : t('chooseFirst'), input);
  if (!courseOk) course.focus();
  else if (!files.length) input.focus();
  return courseOk && files.length > 0;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  say('submit-error', '');
  if (!valid()) return;
  $('submit').disabled = true;
  results.clear();
  Object.assign(batch, { id: '', expected: files.length, state: 'registering', phase: null });
  drawBatchId();
  drawStatus();
  try {
    batch.expected = await essaysIn(files);
    const res = await api('/v1/batches/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        expected_essay_count: batch.expected,
        course_code: form.course.value,
      }),
    });
    const reg = await res.json();
    if (res.status !== 202) throw Object.assign(new Error(), { code: reg.error?.code });
    batch.id = reg.batch_id;
    batch.state = 'uploading';
    drawBatchId();
    const entries = files.map((f) => results.add(f.name));
    drawStatus();
    await Promise.all(files.map((f, i) => upload(reg.batch_id, f, entries[i])));
    batch.state = 'processing';
    drawStatus();
    void followEvents(api, reg.batch_id, onEvent, () => batch.id === reg.batch_id);
  } catch (err) {
    batch.state = 'none';
    drawStatus();
    say('submit-error', t('somethingWrong', { reason: err.code ? t.code(err.code) : err.message }));
  } finally {
    $('submit').disabled = false;
  }
});

setLanguage(t.lang);
