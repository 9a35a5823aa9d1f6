// The upload page: register a batch for the chosen files, upload each with its own progress,
// then follow the batch's event stream: each file's outcome, readiness, spellcheck.
const $ = (id) => document.getElementById(id);
const form = $('batch-form');
const input = $('files');
const drop = $('drop');
const rows = $('results').querySelector('tbody');
let files = [];
let currentBatch = '';

/** The API token, asked once when the API says 401, kept for this tab. */
function token() {
  return sessionStorage.getItem('essay-api-token');
}
async function api(path, init = {}) {
  const headers = new Headers(init.headers);
  if (token()) headers.set('authorization', `Bearer ${token()}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401 && !init.retried) {
    const t = window.prompt('This API needs a token:');
    if (t) {
      sessionStorage.setItem('essay-api-token', t.trim());
      return api(path, { ...init, retried: true });
    }
  }
  return res;
}

function choose(list) {
  files = [...list];
  $('chosen').textContent = files.length
    ? `${files.length} file(s) chosen: ${files.map((f) => f.name).join(', ')}`
    : '';
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
  choose(e.dataTransfer.files);
});

const byFile = new Map(); // file_upload_id -> row
const byEssay = new Map(); // essay_id -> row
function row(name) {
  const tr = document.createElement('tr');
  tr.innerHTML =
    '<td></td><td><progress max="100" value="0"></progress></td><td>waiting</td><td></td>';
  tr.cells[0].textContent = name;
  rows.append(tr);
  return tr;
}
function setCell(tr, index, text, cls) {
  tr.cells[index].textContent = text;
  tr.cells[index].className = cls ?? '';
}

/** One request per file, so each has its own progress bar. */
function upload(batchId, file, tr) {
  return new Promise((resolve, reject) => {
    const body = new FormData();
    body.append('batch_id', batchId);
    body.append('files', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/files/batch');
    if (token()) xhr.setRequestHeader('authorization', `Bearer ${token()}`);
    xhr.upload.onprogress = (e) =>
      e.lengthComputable && (tr.cells[1].firstChild.value = (100 * e.loaded) / e.total);
    xhr.onload = () => {
      tr.cells[1].firstChild.value = 100;
      const answer = JSON.parse(xhr.responseText || '{}');
      if (xhr.status !== 202)
        return reject(new Error(answer.error?.message ?? `upload failed (${xhr.status})`));
      const f = answer.files[0];
      byFile.set(f.file_upload_id, tr);
      setCell(
        tr,
        2,
        f.status === 'rejected' ? f.error_code : 'extracting…',
        f.status === 'rejected' ? 'failed' : '',
      );
      resolve();
    };
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

function summary(batch) {
  const ready = [...rows.rows].filter((r) => r.cells[2].className === 'ready').length;
  const failed = [...rows.rows].filter((r) => r.cells[2].className === 'failed').length;
  $('status').textContent = `Batch ${currentBatch} ${batch}: ${ready} ready, ${failed} failed`;
}

function onEvent(type, e) {
  // a live notice: a file finished, before its upload is applied (it carries its fields itself)
  if (type === 'notice') {
    const tr = byFile.get(e.file_upload_id);
    if (tr && tr.cells[2].className === '')
      setCell(tr, 2, e.outcome === 'content' ? 'read, finishing…' : `${e.error_code}`, '');
    return;
  }
  const d = e.data;
  const tr = byFile.get(d.file_upload_id) ?? byEssay.get(d.essay_id);
  switch (type) {
    case 'EssayContentProvisionedV1':
      // a teacher should know which texts a machine read from a scan or photo, and how surely
      if (tr)
        setCell(
          tr,
          2,
          d.text_source === 'ocr'
            ? `ready (read by OCR, confidence ${Math.round(d.ocr_confidence ?? 0)}%)`
            : 'ready',
          'ready',
        );
      break;
    case 'EssayValidationFailedV1':
      if (tr) setCell(tr, 2, `${d.error_code}: ${d.message}`, 'failed');
      break;
    case 'ExcessContentProvisionedV1':
      if (tr) setCell(tr, 2, `excess (${d.reason})`, 'excess');
      break;
    case 'BatchEssaysReadyV1':
    case 'BatchReadinessTimedOutV1':
      for (const essay of d.ready_essays) {
        const r = byFile.get(essay.file_upload_id);
        if (r) byEssay.set(essay.essay_id, r);
      }
      summary(type === 'BatchEssaysReadyV1' ? 'ready' : `timed out (${d.missing_n} missing)`);
      break;
    case 'SpellCheckCompletedV1':
      if (tr) {
        // which words changed, not only how many
        const fixes = d.misspellings
          .filter((m) => m.suggestions[0])
          .map((m) => `${m.word} → ${m.suggestions[0]}`)
          .join(', ');
        const text = `${d.corrections_made} correction(s)${fixes ? `: ${fixes}` : ''}`;
        setCell(
          tr,
          3,
          d.status === 'completed' ? text : 'failed',
          d.status === 'completed' ? '' : 'failed',
        );
      }
      break;
    case 'BatchPhaseCompletedV1':
      $('phase').textContent =
        `Spellcheck: ${d.outcome.replaceAll('_', ' ').toLowerCase()} (${d.essays_succeeded} of ${d.essays_total})`;
      break;
  }
}

/** Server-Sent Events over fetch, so the token header can go along. */
async function follow(batchId) {
  const res = await api(`/v1/batches/${batchId}/events`, {
    headers: { accept: 'text/event-stream' },
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data) onEvent(type, JSON.parse(data));
    }
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!files.length) return ($('status').textContent = 'Choose at least one file.');
  $('submit').disabled = true;
  rows.replaceChildren();
  byFile.clear();
  byEssay.clear();
  $('phase').textContent = '';
  try {
    const res = await api('/v1/batches/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expected_essay_count: files.length, course_code: form.course.value }),
    });
    const reg = await res.json();
    if (res.status !== 202) throw new Error(reg.error?.message ?? 'registration failed');
    currentBatch = reg.batch_id;
    $('status').textContent = `Batch ${reg.batch_id}: uploading…`;
    const pending = files.map((f) => upload(reg.batch_id, f, row(f.name)));
    await Promise.all(pending);
    $('status').textContent = `Batch ${reg.batch_id}: processing…`;
    void follow(reg.batch_id);
  } catch (err) {
    $('status').textContent = `Something went wrong: ${err.message}`;
  } finally {
    $('submit').disabled = false;
  }
});
