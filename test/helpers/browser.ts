import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDebianPackage } from '../../src/shared/system-packages.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots, kept as test artifacts (git-ignored). */
export const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** Debian's Chromium; as root on Debian it is installed on first use. */
export const ensureChromium = () =>
  ensureDebianPackage({
    pkg: 'chromium',
    present: () => existsSync(CHROMIUM),
    missing: () => new Error(`no Chromium at ${CHROMIUM}: install the Debian package "chromium"`),
  });

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  mkdirSync(artifacts, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Everything a page asks for and every Content-Security-Policy refusal it logs: the fleet's
 * pages load nothing from another origin (a teacher's or operator's visit tells no third party),
 * and nothing of theirs needs what the CSP refuses.
 */
export function watch(page: Page, origin: string): { check(): void } {
  const foreign: string[] = [];
  const refused: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (/^https?:$/.test(url.protocol) && url.origin !== origin) foreign.push(r.url());
    else if (!/^(https?|data|blob):$/.test(url.protocol)) foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  return {
    check() {
      expect(foreign, 'requests that left the fleet').to.deep.equal([]);
      expect(refused, 'CSP refusals').to.deep.equal([]);
    },
  };
}

/** axe-core's serious and critical violations on the page as it stands (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target).join(', ')}`);
}
