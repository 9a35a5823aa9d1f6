// The results of one batch: one entry per file (what the page knows of it), drawn as a table
// row, or as a card on a narrow screen (app.css). Drawn again whole on a language switch, so
// every word comes from the translator and never from the DOM.
import { el } from './dom.js';

/** @typedef {{name: string, fileUploadId?: string, essayId?: string, progress: number|null,
 *   outcome: {kind: string, code?: string, duplicateOf?: string}, spell?: object, tr: HTMLElement}} Entry */

export class Results {
  /** @param {HTMLTableElement} table @param {(entry: Entry, opener: HTMLElement) => void} onOpen */
  constructor(table, onOpen) {
    this.table = table;
    this.body = table.tBodies[0];
    this.onOpen = onOpen;
    this.entries = [];
    this.byFile = new Map();
    this.byEssay = new Map();
    this.t = null;
  }

  clear() {
    this.entries = [];
    this.byFile.clear();
    this.byEssay.clear();
    this.body.replaceChildren();
    this.table.hidden = true;
  }

  /** A file of this page's upload (progress from 0), or one the batch reports from elsewhere. */
  add(name, progress = 0) {
    const tr = document.createElement('tr');
    const entry = { name, progress, outcome: { kind: 'waiting' }, tr };
    this.entries.push(entry);
    this.body.append(tr);
    this.table.hidden = false;
    this.draw(entry);
    return entry;
  }

  /** The entry of a file the batch's events name, added when this page did not upload it. */
  forFile(fileUploadId, name) {
    let entry = this.byFile.get(fileUploadId);
    if (!entry && name !== undefined) {
      entry = this.add(name, null);
      this.link(entry, fileUploadId);
    }
    return entry;
  }

  link(entry, fileUploadId) {
    entry.fileUploadId = fileUploadId;
    this.byFile.set(fileUploadId, entry);
  }

  linkEssay(entry, essayId) {
    entry.essayId = essayId;
    this.byEssay.set(essayId, entry);
  }

  count(kind) {
    return this.entries.filter((e) => e.outcome.kind === kind).length;
  }

  redraw(t) {
    this.t = t;
    for (const entry of this.entries) this.draw(entry);
  }

  /** One row: the file, its upload, its outcome in words (code beside), its spellcheck. */
  draw(entry) {
    const t = this.t;
    if (!t) return;
    const cells = [
      this.fileCell(entry),
      this.uploadCell(entry, t),
      this.outcomeCell(entry, t),
      this.spellCell(entry, t),
    ];
    const labels = ['colFile', 'colUpload', 'colOutcome', 'colSpellcheck'];
    cells.forEach((td, i) => td.setAttribute('data-label', t(labels[i])));
    entry.tr.replaceChildren(...cells);
    entry.tr.className = `file outcome-${entry.outcome.kind}`;
  }

  fileCell(entry) {
    const td = el('td');
    td.append(el('span', entry.name, 'name'));
    return td;
  }

  uploadCell(entry, t) {
    const td = el('td');
    if (entry.progress === null) return td;
    const bar = el('progress');
    bar.max = 100;
    bar.value = entry.progress;
    bar.setAttribute('aria-label', t('uploadOf', { name: entry.name }));
    entry.bar = bar;
    td.append(bar, el('span', `${Math.round(entry.progress)} %`, 'percent'));
    return td;
  }

  setProgress(entry, percent) {
    entry.progress = percent;
    if (entry.bar) {
      entry.bar.value = percent;
      entry.bar.nextSibling.textContent = `${Math.round(percent)} %`;
    }
  }

  outcomeCell(entry, t) {
    const td = el('td');
    const { kind, code, duplicateOf, reason, ocrConfidence } = entry.outcome;
    const verdict = {
      waiting: () => t('waiting'),
      extracting: () => t('extracting'),
      finishing: () => t('finishing'),
      ready: () => (ocrConfidence === undefined ? t('ready') : t('readyOcr', { n: ocrConfidence })),
      failed: () => t.code(code),
      excess: () => t.code(code),
      uploadFailed: () => t('failedUpload', { reason: reason ?? t.code(code) }),
    }[kind]();
    const cls = { ready: 'ready', failed: 'failed', excess: 'excess', uploadFailed: 'failed' };
    td.append(el('span', verdict, `verdict ${cls[kind] ?? ''}`));
    if (duplicateOf) td.append(' ', el('span', t('duplicateOf', { name: duplicateOf })));
    const advice = code ? t.advice(code) : '';
    if (advice) td.append(el('span', advice, 'advice'));
    if (code) td.append(el('code', code, 'code'));
    return td;
  }

  spellCell(entry, t) {
    const td = el('td');
    const d = entry.spell;
    if (!d) return td;
    if (d.status !== 'completed') {
      td.append(el('span', t('spellcheckFailed'), 'failed'));
      return td;
    }
    if (d.skipped) {
      td.append(el('span', t.code(d.skipped.reason)), el('code', d.skipped.reason, 'code'));
      return td;
    }
    const unknown = unknownWords(d).length;
    const parts = [
      d.corrections_made ? t('corrections', { n: d.corrections_made }) : t('noCorrections'),
    ];
    if (unknown) parts.push(t('unknownCount', { n: unknown }));
    td.append(el('span', parts.join(', ')));
    const lang = d.language_checked ?? d.language;
    if (lang) td.append(el('span', t('checkedIn', { lang: t.langName(lang) }), 'advice'));
    const open = el('button', t('showCorrected'), 'secondary open-corrected');
    open.type = 'button';
    open.setAttribute('aria-label', t('showCorrectedOf', { name: entry.name }));
    open.addEventListener('click', () => this.onOpen(entry, open));
    td.append(open);
    return td;
  }
}

/** The flagged words left as written (older results: misspellings without a correction). */
export function unknownWords(d) {
  if (d.unknown_words) return d.unknown_words;
  const corrected = new Set((d.corrections ?? []).map((c) => c.offset));
  return (d.misspellings ?? []).filter((m) =>
    d.corrections ? !corrected.has(m.offset) : !m.suggestions[0],
  );
}
