import { test, expect, Page, Browser } from '@playwright/test';
import { schulhof, tablet, shot } from './support';

const desktop = { width: 1366, height: 768 };
const domain = 'lindenschule.example';

function person(role: string, first: string, last: string) {
  const out = schulhof('admin', 'create-user', domain, role, first, last);
  return { login: out.match(/login: (\S+)/)![1], start: out.match(/start password: (\S+)/)![1] };
}

async function signIn(browser: Browser, who: { login: string; start: string }, password: string, size = tablet): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setViewportSize(size);
  await page.goto('/login');
  await page.getByLabel('Benutzername').fill(who.login);
  await page.getByLabel('Passwort', { exact: true }).fill(who.start);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByTestId('accept-policy').click();
  await expect(page.locator('form[data-hydrated="true"]')).toBeVisible();
  await page.getByLabel('Neues Passwort', { exact: true }).fill(password);
  await page.getByLabel('Neues Passwort noch einmal').fill(password);
  await page.getByRole('button', { name: 'Passwort speichern' }).click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
  return page;
}

test.describe.serial('safeguards', () => {
  // FLT-1: a pupil pastes a blocked link and sees the refusal naming it.
  test('a blocked link is refused with the link named', async ({ browser }) => {
    schulhof('admin', 'create-school', 'Lindenschule', domain);
    const admin = await signIn(browser, person('admin', 'Ada', 'Admin'), 'Server&Raum31', desktop);
    await admin.goto('/admin/filter?scope=school');
    await admin.getByLabel('Domain oder Adresse').fill('spiele.example');
    await admin.getByRole('button', { name: 'Eintrag hinzufügen' }).click();
    await expect(admin.getByTestId('filter-row')).toContainText('spiele.example');

    const pupil = await signIn(browser, person('pupil', 'Pia', 'Punkt'), 'Sonne&Mond42');
    await pupil.getByTestId('nav-files').click();
    await pupil.getByLabel('Name', { exact: true }).fill('Tipps von www.SPIELE.example');
    await pupil.getByRole('button', { name: 'Anlegen' }).click();
    await expect(pupil.getByTestId('form-error')).toContainText('Der Link www.SPIELE.example ist in der Schule gesperrt');
    await shot(pupil, 'filter-refusal-tablet');
  });

  // LOG-2: management grants the right to a teacher, who reads the log after stating a reason.
  test('a teacher reads the log only after stating a reason', async ({ browser }) => {
    const teacher = person('teacher', 'Theo', 'Tafel');
    const management = await signIn(browser, person('management', 'Maren', 'Leitung'), 'Wolke&Anker73', desktop);
    await management.getByTestId('nav-admin').click();
    await management.getByRole('link', { name: 'Protokolle' }).click();
    await management.getByLabel('Benutzername').fill(teacher.login);
    await management.getByTestId('grant').click();
    await expect(management.getByTestId('reader-row')).toContainText('Theo Tafel');

    const page = await signIn(browser, teacher, 'Birke&Nebel58', desktop);
    await page.goto('/logs');
    await page.getByLabel('Grund (welcher Verstoß?)').fill('Link auf gesperrte Spieleseite gepostet');
    await page.getByLabel('Bezug (Vorgang, Aktenzeichen)').fill('Vorgang 2026/31');
    await page.getByTestId('open-reading').click();
    await expect(page).toHaveURL(/\/logs\?session=\d+/);
    await expect(page.getByTestId('chain')).toContainText('Prüfkette intakt');
    await page.getByLabel('Art').fill('filter');
    await page.getByRole('button', { name: 'Suchen' }).click();
    await expect(page.getByTestId('event-row').first()).toContainText('filter.link_blocked');
    await shot(page, 'logs-reading-desktop');
  });

  // LIFE-1: the secretariat records a withdrawal, and the pupil can no longer sign in.
  test('a withdrawal locks the pupil out at once', async ({ browser }) => {
    const pupil = person('pupil', 'Paul', 'Weg');
    const pupilPage = await signIn(browser, pupil, 'Regen&Bogen8');
    const office = await signIn(browser, person('secretariat', 'Sina', 'Sekretariat'), 'Tinte&Feder42', desktop);
    await office.goto('/admin/users?q=weg');
    await office.getByRole('link', { name: 'Weg, Paul' }).click();
    await office.getByText('Abmeldung durch die Eltern erfassen').first().click();
    await office.getByTestId('withdraw').click();
    await expect(office.getByTestId('deletion-due')).toContainText('endgültig gelöscht');
    await shot(office, 'withdrawal-desktop');

    await pupilPage.reload();
    await expect(pupilPage).toHaveURL(/\/login/);
    await pupilPage.getByLabel('Benutzername').fill(pupil.login);
    await pupilPage.getByLabel('Passwort', { exact: true }).fill('Regen&Bogen8');
    await pupilPage.getByRole('button', { name: 'Anmelden' }).click();
    await expect(pupilPage.getByRole('alert')).toBeVisible();
    await expect(pupilPage).toHaveURL(/\/login/);
  });
});
