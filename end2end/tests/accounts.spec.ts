import { test, expect, Page, Browser } from '@playwright/test';
import { schulhof, tablet, shot, readQr } from './support';

const phone = { width: 360, height: 740 };

let pupilLogin = '';
let pupilStart = '';
/** What the QR code on Mia's slip says, read from the printed page. */
let pupilSlipAddress = '';
const pupilPassword = 'Regen!Bogen3';

/// VIOL-1 then PW-1: accept the policy, then choose a password while the checklist ticks.
/// With `slipAddress` the sign-in is the slip's QR code (PW-2), with nothing typed.
async function firstLogin(page: Page, login: string, start: string, password: string, issuedBy?: string, slipAddress?: string) {
  if (slipAddress) {
    await page.goto(slipAddress);
    await expect(page).toHaveURL(/\/policy$/);
    return firstSteps(page, password, issuedBy);
  }
  await page.goto('/login');
  await page.getByLabel('Benutzername').fill(login);
  await page.getByLabel('Passwort', { exact: true }).fill(start);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page).toHaveURL(/\/policy$/);
  await firstSteps(page, password, issuedBy);
}

async function firstSteps(page: Page, password: string, issuedBy?: string) {
  await expect(page.getByText('Fassung 1, gültig ab 01.08.2020')).toBeVisible();
  await page.getByTestId('accept-policy').click();
  await expect(page).toHaveURL(/\/password$/);
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  // SEC-1, PW-2: the owner of a start password sees who issued it and when.
  await expect(page.getByTestId('reset-notice')).toBeVisible();
  if (issuedBy) {
    await expect(page.getByTestId('reset-notice')).toContainText(issuedBy);
    await shot(page, 'password-reset-notice');
  }
  const field = page.getByLabel('Neues Passwort', { exact: true });
  await field.pressSequentially(password.slice(0, 3));
  // Three characters: some parts are met already, but not the length.
  await expect(page.locator('.rules li.met').first()).toBeVisible();
  await expect(page.locator('.rules li').first()).not.toHaveClass(/met/);
  await field.pressSequentially(password.slice(3));
  // The sixth line, "nicht leicht zu erraten", is the server's verdict once typing pauses.
  await expect(page.locator('.rules li.met')).toHaveCount(6);
  await page.getByLabel('Neues Passwort noch einmal').fill(password);
  await page.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('dashboard')).toBeVisible();
}

test.describe.serial('accounts', () => {
  // ACC-4, PW-2: the secretariat imports a class list and prints the slips, on a tablet.
  test('the secretariat imports a class and prints slips', async ({ page, context }) => {
    schulhof('admin', 'create-school', 'Paulusschule', 'paulusschule.example');
    const out = schulhof('admin', 'create-user', 'paulusschule.example', 'secretariat', 'Sabine', 'Sekretär');
    const login = out.match(/login: (\S+)/)![1];
    const start = out.match(/start password: (\S+)/)![1];
    await page.setViewportSize(tablet);
    await firstLogin(page, login, start, 'Tinte&Feder42');

    // Issue 18: what only some roles do sits in the "Verwaltung" menu.
    await page.getByTestId('nav-admin').click();
    await page.getByRole('link', { name: 'Personen' }).click();
    await expect(page).toHaveURL(/\/admin\/users/);
    await page.getByLabel('CSV-Datei').setInputFiles({
      name: '2b.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Vorname;Nachname;Klasse\nMia;Schulz;2b\nTom;Berg;2b\nLea;Öztürk;2b\n'),
    });
    await page.getByRole('button', { name: 'Vorschau anzeigen' }).click();
    await expect(page).toHaveURL(/\/admin\/import\/\d+$/);
    await expect(page.getByTestId('import-summary')).toContainText('3 neu');
    // Issue 18 §6: the preview says which login each child gets.
    await expect(page.getByTestId('import-entry').filter({ hasText: 'Öztürk' })).toContainText('lea.oeztuerk');
    await shot(page, 'import-preview-tablet');
    await page.getByText('Alles übernehmen').click();
    await page.getByTestId('apply-import').click();
    // After the apply, the same page says what happened and leads to the class's slips.
    await expect(page).toHaveURL(/\/admin\/import\/\d+$/);
    await expect(page.getByTestId('import-done')).toContainText('3 neu angelegt');
    await shot(page, 'import-done-tablet');
    await page.getByTestId('import-next').click();
    await expect(page).toHaveURL(/\/admin\/users\?q=2b$/);
    await expect(page.getByTestId('user-count')).toContainText('3 Personen');
    for (const name of ['Mia Schulz', 'Tom Berg', 'Lea Öztürk']) {
      await page.getByLabel(`Auswählen ${name}`).check();
    }
    await shot(page, 'users-tablet');
    await page.getByText('Startpasswörter drucken').click();
    // ADM-2: the confirmation repeats how many are selected.
    await expect(page.getByTestId('selection-count')).toHaveText('3 ausgewählt');
    const [slips] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Bestätigen' }).click()]);
    await slips.waitForLoadState();
    await expect(slips.locator('.slip')).toHaveCount(3);
    await expect(slips.locator('.slip svg').first()).toBeVisible();
    const slip = slips.locator('.slip', { hasText: 'Mia Schulz' });
    pupilLogin = (await slip.locator('dd').nth(1).innerText()).trim();
    pupilStart = (await slip.getByTestId('start-password').innerText()).trim();
    expect(pupilLogin).toBe('mia.schulz');
    expect(pupilStart).toMatch(/^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$/);
    // PW-2: the QR code, read off the printed page, is the sign-in address with login and start
    // password in its fragment.
    const address = await readQr(slips, slip.locator('.slip-qr svg'));
    expect(address.pathname).toBe('/login');
    expect(new URLSearchParams(address.hash.slice(1)).get('u')).toBe(pupilLogin);
    expect(new URLSearchParams(address.hash.slice(1)).get('p')).toBe(pupilStart);
    pupilSlipAddress = address.pathname + address.hash;
    await slips.setViewportSize(tablet);
    await shot(slips, 'slips-tablet');
  });

  // PW-2, VIOL-1, PW-1: a pupil signs in with the slip's QR code on a classroom tablet.
  test('a pupil signs in with the slip, accepts the policy and chooses a password', async ({ page }) => {
    await page.setViewportSize(tablet);
    await firstLogin(page, pupilLogin, pupilStart, pupilPassword, 'Sabine Sekretär', pupilSlipAddress);
    await expect(page.getByTestId('dashboard')).toContainText('Hallo, Mia!');
    await shot(page, 'pupil-dashboard-tablet');
  });

  // PW-4: a parent on the phone ends the session still open on the classroom tablet.
  test('a parent on the phone ends another session of the account', async ({ browser }) => {
    const tabletContext = await browser.newContext({ viewport: tablet });
    const tabletPage = await tabletContext.newPage();
    await signIn(tabletPage, pupilLogin, pupilPassword);

    const phoneContext = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
    const parent = await phoneContext.newPage();
    await signIn(parent, pupilLogin, pupilPassword);
    await parent.goto('/account');
    const sessions = parent.getByTestId('session');
    const before = await sessions.count();
    expect(before).toBeGreaterThanOrEqual(2);
    await shot(parent, 'account-phone');
    const other = sessions.filter({ hasNotText: 'Dieses Gerät' }).first();
    await other.getByRole('button', { name: 'Abmelden' }).click();
    await expect(parent.getByTestId('session')).toHaveCount(before - 1);
    const overflow = await parent.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await parent.getByRole('button', { name: 'Alle anderen Geräte abmelden' }).click();
    await expect(parent.getByTestId('session')).toHaveCount(1);

    await tabletPage.goto('/');
    await expect(tabletPage).toHaveURL(/\/login$/);
    await tabletContext.close();
    await phoneContext.close();
  });
});

async function signIn(page: Page, login: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Benutzername').fill(login);
  await page.getByLabel('Passwort', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
}
