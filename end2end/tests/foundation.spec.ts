import { test, expect, Page } from '@playwright/test';
import { noSeriousA11yFindings } from './support';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sizes = {
  tablet: { width: 768, height: 1024 },
  phone: { width: 360, height: 740 },
  desktop: { width: 1366, height: 768 },
};

async function screenshots(page: Page, name: string) {
  for (const [label, size] of Object.entries(sizes)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `test-results/screenshots/${name}-${label}.png`, fullPage: true });
    // UX-2: nothing scrolls sideways, down to 360 px.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${label} scrolls sideways`).toBeLessThanOrEqual(0);
  }
}

// UX-1: every control a child can tap is at least 44 px high and wide.
async function touchTargetsAreLarge(page: Page) {
  const small = await page.evaluate(() =>
    Array.from(document.querySelectorAll('a, button, input:not([type=hidden]), select'))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44))
      .map(({ el, box }) => `${el.tagName} "${(el.textContent || '').trim()}" ${Math.round(box.width)}x${Math.round(box.height)}`),
  );
  expect(small).toEqual([]);
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  // PW-2, UX-2: the login page works before any WASM arrives, and errors show on the page.
  test('the login page is server-rendered and its form works', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
    await expect(page.getByText('Geh bitte ins Sekretariat')).toBeVisible();
    await page.getByLabel('Benutzername').fill('admin');
    await page.getByLabel('Passwort', { exact: true }).fill('Falsch#123');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect(page.getByRole('alert')).toContainText('Benutzername oder Passwort stimmt nicht');
    await screenshots(page, 'login-error-nojs');
  });
});

test.describe('in the browser', () => {
  // PW-2, PW-1: the printed start password forces a new password, chosen with the live checklist.
  test('first login with the start password, new password, dashboard', async ({ page }) => {
    const start = process.env.SCHULHOF_E2E_START_PASSWORD!;
    await page.setViewportSize(sizes.tablet);
    // PW-2: a slip's QR address without a password fills nothing, and its fragment leaves the
    // address bar (and the shared tablet's history) at once.
    await page.goto('/login#u=admin');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByLabel('Benutzername')).toHaveValue('');
    await noSeriousA11yFindings(page);
    await touchTargetsAreLarge(page);
    await screenshots(page, 'login');

    await page.getByLabel('Benutzername').fill('admin');
    await page.getByLabel('Passwort', { exact: true }).fill(start);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect(page).toHaveURL(/\/password$/);

    await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
    const rules = page.locator('.rules li');
    await expect(rules).toHaveCount(6);
    await expect(page.locator('.rules li.met')).toHaveCount(0);
    // PW-2: a session opened with the start password is not asked for it again.
    await expect(page.getByLabel('Jetziges Passwort')).toHaveCount(0);
    await expect(page.getByTestId('password-idea')).toContainText('Tipp');
    await page.getByLabel('Neues Passwort', { exact: true }).pressSequentially('blaue');
    await expect(page.locator('.rules li.met')).toHaveCount(1);
    await page.getByLabel('Neues Passwort', { exact: true }).pressSequentially('#kuh7');
    await expect(page.locator('.rules li.met')).toHaveCount(4);
    // PW-1: a password of the right shape that is easy to guess never shows all green: the
    // last line is the server's verdict.
    await page.getByLabel('Neues Passwort', { exact: true }).fill('Passwort1!');
    await expect(page.locator('.rules li.met')).toHaveCount(5);
    await expect(rules.last()).not.toHaveClass(/met/);
    await page.getByLabel('Neues Passwort', { exact: true }).fill('Blaue#Kuh7');
    await expect(page.locator('.rules li.met')).toHaveCount(6);
    await noSeriousA11yFindings(page);
    await touchTargetsAreLarge(page);
    await screenshots(page, 'password');

    // Hashed assets are served precompressed and may be cached for a year.
    for (const href of [
      await page.locator('link[rel="stylesheet"]').getAttribute('href'),
      await page.locator('link[rel="modulepreload"]').getAttribute('href'),
    ]) {
      const asset = await page.request.get(href!, { headers: { 'Accept-Encoding': 'br' } });
      expect(asset.status()).toBe(200);
      expect(asset.headers()['cache-control']).toContain('immutable');
      expect(asset.headers()['content-encoding']).toBe('br');
    }

    // A mismatch is caught by the server and shown next to the field, without a reload.
    await page.getByLabel('Neues Passwort noch einmal').fill('Blaue#Kuh8');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await expect(page.locator('#field-repeat-error')).toContainText('nicht gleich');
    await expect(page).toHaveURL(/\/password$/);

    await page.getByLabel('Neues Passwort noch einmal').fill('Blaue#Kuh7');
    await page.getByRole('button', { name: 'Passwort speichern' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('dashboard')).toContainText('Hallo, Betrieb!');
    await noSeriousA11yFindings(page);
    await touchTargetsAreLarge(page);
    await screenshots(page, 'dashboard');

    // UX-4: English is complete and remembered.
    await page.getByTestId('nav-me').click();
    await page.getByRole('button', { name: 'Sprache wechseln' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('dashboard')).toContainText('Hello, Betrieb!');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await screenshots(page, 'dashboard-en');

    await page.getByTestId('nav-me').click();
    await page.getByTestId('logout').click();
    await expect(page).toHaveURL(/\/login$/);
  });
});

// Issue 17: the build a user runs is the build we measure. Every built asset is served from its
// precompressed brotli file (full quality, made once by `scripts/build`), not compressed again
// per request: the length on the wire is the `.br` file's.
test('every /pkg/ asset is served brotli-compressed from its precompressed file', async ({ request }) => {
  const dir = join(__dirname, '..', '..', 'target', 'site', 'pkg');
  const assets = readdirSync(dir).filter((name) => !name.endsWith('.br') && !name.endsWith('.gz'));
  expect(assets.filter((name) => name.endsWith('.wasm')).length).toBe(1);
  for (const name of assets) {
    expect(existsSync(join(dir, `${name}.br`)), `${name}.br was built`).toBe(true);
    const res = await request.get(`/pkg/${name}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(res.status(), name).toBe(200);
    expect(res.headers()['content-encoding'], name).toBe('br');
    expect(Number(res.headers()['content-length']), name).toBe(statSync(join(dir, `${name}.br`)).size);
  }
});
