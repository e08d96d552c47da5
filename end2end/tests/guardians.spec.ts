// PAR-1, PAR-2, PAR-3: the secretariat prints a parent's access letter on a tablet; a parent
// scans its QR code on a phone, registers, accepts the policy and sees the child on the home
// page. Screenshots of each step.
import { test, expect } from '@playwright/test';
import { schulhof, tablet, shot, firstLogin, readQr, noSideways, noSeriousA11yFindings } from './support';

const phone = { width: 360, height: 740 };

test('a parent registers on the phone with the letter the secretariat printed', async ({ browser }) => {
  schulhof('admin', 'create-school', 'Birkenschule', 'birkenschule.example');
  const office = schulhof('admin', 'create-user', 'birkenschule.example', 'secretariat', 'Sina', 'Schreiber');
  schulhof('admin', 'create-user', 'birkenschule.example', 'pupil', 'Emil', 'Özdemir');

  // The secretariat, on a tablet, opens Emil's page and prints the letter.
  const officeContext = await browser.newContext({ viewport: tablet });
  const desk = await officeContext.newPage();
  await firstLogin(desk, office.match(/login: (\S+)/)![1], office.match(/start password: (\S+)/)![1], 'Tinte&Feder42');
  await desk.goto('/admin/users?q=emil');
  await desk.getByRole('link', { name: 'Özdemir, Emil' }).click();
  await expect(desk.getByTestId('no-guardians')).toBeVisible();
  const [letters] = await Promise.all([officeContext.waitForEvent('page'), desk.getByTestId('print-codes').click()]);
  await letters.waitForLoadState();
  const letter = letters.locator('.guardian-letter');
  await expect(letter).toHaveCount(1);
  await expect(letter).toContainText('Eltern-Zugang für Emil Özdemir');
  const printed = (await letter.getByTestId('guardian-code').innerText()).trim();
  expect(printed).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await shot(letters, 'guardian-letter-tablet');
  // The QR code, read off the printed page: the registration address, the code in its fragment.
  const address = await readQr(letters, letter.locator('.slip-qr svg'));
  expect(address.pathname).toBe('/register');
  expect(new URLSearchParams(address.hash.slice(1)).get('code')).toBe(printed.replace(/-/g, ''));

  // The parent, on a phone: the code is filled in from the QR code and gone from the address.
  const phoneContext = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
  const parent = await phoneContext.newPage();
  await parent.goto(address.pathname + address.hash);
  await expect(parent.getByLabel('Zugangscode')).toHaveValue(printed.replace(/-/g, ''));
  expect(new URL(parent.url()).hash).toBe('');
  await noSideways(parent);
  await noSeriousA11yFindings(parent);
  await shot(parent, 'guardian-register-phone');
  await parent.getByLabel('Vorname').fill('Ayşe');
  await parent.getByLabel('Nachname').fill('Özdemir');
  await parent.getByLabel('Neues Passwort', { exact: true }).fill('Wolke-Radio-Gurke-83!');
  await parent.getByLabel('Neues Passwort noch einmal').fill('Wolke-Radio-Gurke-83!');
  await parent.getByTestId('register-submit').click();
  // VIOL-1: the policy first, as for everyone; then the child on the home page.
  await expect(parent).toHaveURL(/\/policy$/);
  await parent.getByTestId('accept-policy').click();
  await expect(parent).toHaveURL(/\/$/);
  await expect(parent.getByTestId('child-tabs')).toContainText('Emil');
  await expect(parent.getByTestId('child-card')).toHaveCount(1);
  await noSideways(parent);
  await noSeriousA11yFindings(parent);
  await shot(parent, 'guardian-home-phone');

  // The secretariat sees the parent on Emil's page.
  await desk.reload();
  await expect(desk.getByTestId('guardians')).toContainText('Ayşe Özdemir');
  // PAR-3: Emil is in no class, so there is no class parent representative to mark.
  await expect(desk.getByTestId('toggle-representative')).toHaveCount(0);
  await shot(desk, 'guardians-card-tablet');

  // VIOL-1, PAR-4: the parent gives the consent for Emil on the phone, their name as the
  // signature; the people table then says it came online.
  const consent = parent.getByTestId('consent-form');
  await consent.getByRole('checkbox').check();
  await consent.getByLabel('Ihr Vor- und Nachname').fill('Ayse Oezdemir');
  await shot(parent, 'guardian-consent-phone');
  await parent.getByTestId('give-consent').click();
  await expect(parent.getByTestId('consent-given')).toContainText('Einverständnis online gegeben');
  await noSideways(parent);
  await desk.goto('/admin/users?q=emil');
  await expect(desk.getByTestId('consent-given')).toHaveText('online zugestimmt');

  // LIFE-1, PAR-4: the family asks to end Emil's use; management, on a desktop, sees the
  // request with its note on the start page and confirms it, which withdraws Emil's account.
  await parent.getByText('Nutzung durch mein Kind beenden').click();
  await parent.getByLabel('Nachricht an die Schulleitung (freiwillig)').fill('Wir ziehen im Januar nach Bremen.');
  await parent.getByTestId('request-end').click();
  await expect(parent.getByTestId('end-requested')).toContainText('liegt der Schulleitung vor');
  await noSideways(parent);
  await shot(parent, 'guardian-end-requested-phone');
  const head = schulhof('admin', 'create-user', 'birkenschule.example', 'management', 'Maren', 'Mahler');
  const headContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const office2 = await headContext.newPage();
  await firstLogin(office2, head.match(/login: (\S+)/)![1], head.match(/start password: (\S+)/)![1], 'Kreide&Tafel42');
  const requests = office2.getByTestId('end-requests');
  await expect(requests).toContainText('Emil Özdemir');
  await expect(requests).toContainText('Wir ziehen im Januar nach Bremen.');
  await expect(requests).toContainText('Ayşe Özdemir');
  await shot(office2, 'end-requests-desktop');
  await requests.locator('details.confirm > summary').click();
  await office2.getByTestId('confirm-end').click();
  await expect(office2.getByTestId('no-end-requests')).toBeVisible();
  await desk.goto('/admin/users?q=emil');
  await expect(desk.locator('table')).toContainText('Gesperrt, Löschung geplant');
  await headContext.close();
  await officeContext.close();
  await phoneContext.close();
});
