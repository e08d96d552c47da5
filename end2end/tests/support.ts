// What every browser test needs: the release binary's console, screenshots, and the first
// sign-in every new account goes through (accept the policy, choose a password).
import { expect, Locator, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const root = resolve(__dirname, '../..');
export const tablet = { width: 768, height: 1024 };

/** Runs `schulhof <args>` on the test server's data folder (the operator's console). */
export function schulhof(...args: string[]): string {
  return execFileSync(resolve(root, 'target/release/schulhof'), args, {
    cwd: root,
    env: { ...process.env, SCHULHOF_DATA: process.env.SCHULHOF_E2E_DATA!, DATABASE_URL: '', SCHULHOF_LOG: 'warn' },
  }).toString();
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/** The address the QR code on a start-password slip opens (PW-2): login and start password
 * in the fragment, which the browser never sends. */
export function slipAddress(login: string, start: string): string {
  return `/login#${new URLSearchParams({ u: login, p: start })}`;
}

/** Signs in with the slip's QR code, accepts the policy and sets a password: what every new
 * account does first. The password page does not ask for the slip again. */
export async function firstLogin(page: Page, login: string, start: string, password: string) {
  await page.goto(slipAddress(login, start));
  await expect(page).toHaveURL(/\/policy$/);
  await page.getByTestId('accept-policy').click();
  await expect(page).toHaveURL(/\/password$/);
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByLabel('Jetziges Passwort')).toHaveCount(0);
  await page.getByLabel('Neues Passwort', { exact: true }).fill(password);
  await page.getByLabel('Neues Passwort noch einmal').fill(password);
  await page.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
}

/** The address a printed QR code holds, read off the page as a phone camera would. */
export async function readQr(page: Page, code: Locator): Promise<URL> {
  const box = (await code.boundingBox())!;
  const png = PNG.sync.read(await page.screenshot({
    clip: { x: box.x - 16, y: box.y - 16, width: box.width + 32, height: box.height + 32 },
  }));
  const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(read, 'the QR code can be read').not.toBeNull();
  return new URL(read!.data);
}

/** UX-2: nothing on the page scrolls sideways at the viewport's width (360 px phones). */
export async function noSideways(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** WCAG 2.1 AA: axe-core finds nothing serious or critical on the page. */
export async function noSeriousA11yFindings(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}
