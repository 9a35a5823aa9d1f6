// The upload page: register a batch for the chosen files, upload them, follow the batch.
const form = document.getElementById('batch-form');
const input = document.getElementById('files');
const drop = document.getElementById('drop');
const statusEl = document.getElementById('status');
const results = document.getElementById('results');
let files = [];

input.addEventListener('change', () => (files = [...input.files]));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  files = [...e.dataTransfer.files];
  statusEl.textContent = `${files.length} file(s) chosen`;
});

function show(text, cls) {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  results.append(li);
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!files.length) return (statusEl.textContent = 'Choose at least one file.');
  results.replaceChildren();
  const reg = await fetch('/v1/batches/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ expected_essay_count: files.length, course_code: form.course.value }),
  }).then((r) => r.json());
  if (!reg.batch_id) return (statusEl.textContent = reg.error?.message ?? 'Registration failed.');
  const body = new FormData();
  body.append('batch_id', reg.batch_id);
  for (const f of files) body.append('files', f, f.name);
  statusEl.textContent = 'Uploading…';
  await fetch('/v1/files/batch', { method: 'POST', body });
  statusEl.textContent = 'Processing…';
  for (;;) {
    const batch = await fetch(`/v1/batches/${reg.batch_id}`).then((r) => r.json());
    if (batch.status !== 'awaiting_content') {
      statusEl.textContent = `Batch ${batch.status}: ${batch.ready_count} ready, ${batch.failed_count} failed`;
      results.replaceChildren();
      for (const e of batch.essays) show(`${e.original_file_name}: ready`, 'ready');
      for (const f of batch.validation_failures)
        show(`${f.original_file_name}: ${f.error_code} (${f.message})`, 'failed');
      for (const x of batch.excess) show(`${x.original_file_name}: excess (${x.reason})`, 'failed');
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
});
