// The page's traffic: one file's upload with its progress, a batch's event stream, and the
// count of distinct essays among the chosen files.

/**
 * One request per file, so each has its own progress bar. Resolves with the status (0: the
 * connection failed) and the answer's JSON ({} when it was none).
 */
export function sendFile(batchId, file, token, onProgress) {
  return new Promise((resolve) => {
    const body = new FormData();
    body.append('batch_id', batchId);
    body.append('files', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/files/batch');
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress((100 * e.loaded) / e.total);
    xhr.onload = () => {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText || '{}');
      } catch {
        // a proxy's HTML error page: the status says enough
      }
      resolve({ status: xhr.status, answer });
    };
    xhr.onerror = () => resolve({ status: 0, answer: {} });
    xhr.send(body);
  });
}

/** Server-Sent Events over fetch, so the token header can go along. */
export async function followEvents(api, batchId, onEvent, current) {
  const res = await api(`/v1/batches/${batchId}/events`, {
    headers: { accept: 'text/event-stream' },
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done || !current()) return;
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

/**
 * How many essays the files hold: the same bytes dropped twice are one essay, so the batch
 * expects one (the copy is still uploaded, and shown as a duplicate). Hashing needs a secure
 * origin and memory: without them, or past 256 MB, every file counts.
 */
export async function essaysIn(list) {
  const total = list.reduce((sum, f) => sum + f.size, 0);
  if (!globalThis.crypto?.subtle || total > 256 * 2 ** 20) return list.length;
  const digests = await Promise.all(
    list.map(async (f) => {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await f.arrayBuffer()));
      return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
    }),
  );
  return new Set(digests).size;
}
