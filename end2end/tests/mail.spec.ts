import { test, expect, Page, BrowserContext } from '@playwright/test';
import { firstLogin, schulhof, shot, tablet } from './support';

const domain = 'bach.example';

async function person(role: string, first: string, last: string): Promise<[string, string]> {
  const out = schulhof('admin', 'create-user', domain, role, first, last);
  return [out.match(/login: (\S+)/)![1], out.match(/start password: (\S+)/)![1]];
}

async function tabletPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(tablet);
  return page;
}

async function compose(page: Page) {
  await page.getByTestId('nav-mail').click();
  await page.getByTestId('compose').click();
  await expect(page.locator('form.compose[data-hydrated="true"]')).toBeVisible();
}

test.describe.serial('mail', () => {
  let teacher: [string, string];
  let management: [string, string];
  const pupils: string[] = [];
  let teacherContext: BrowserContext;
  let teacherPage: Page;
  let pupilContext: BrowserContext;
  let pupilPage: Page;

  test.beforeAll(async ({ browser }) => {
    schulhof('admin', 'create-school', 'Grundschule am Bach', domain);
    const admin = await person('admin', 'Ada', 'Admin');
    teacher = await person('teacher', 'Tilda', 'Tanne');
    management = await person('management', 'Mira', 'Meister');
    const context = await browser.newContext();
    const page = await context.newPage();
    await firstLogin(page, admin[0], admin[1], 'Wolken&Schaf51');
    for (const first of ['Pia', 'Jonas']) {
      const created = await page.request.post('/api/users/create', {
        form: { first_name: first, last_name: 'Bach', role: 'pupil', class: '2b' },
        headers: { Accept: 'application/json' },
      });
      expect(created.ok()).toBeTruthy();
      pupils.push(await created.json());
    }
    await context.close();
  });

  // MAIL-1, MAIL-2: the teacher finds the class by typing, and writes to klasse-2b; on her
  // tablet a pupil of 2b sees the unread count change without reloading, reads, and replies.
  test('a teacher writes to klasse-2b and a pupil replies', async ({ browser }) => {
    pupilContext = await browser.newContext();
    pupilPage = await tabletPage(pupilContext);
    await firstLogin(pupilPage, pupils[0], schulhof('admin', 'start-password', pupils[0]).trim(), 'Sonne&Mond42');
    await expect(pupilPage.getByTestId('unread')).toBeHidden();

    teacherContext = await browser.newContext();
    teacherPage = await tabletPage(teacherContext);
    await firstLogin(teacherPage, teacher[0], teacher[1], 'Kreide&Tafel77');
    await compose(teacherPage);
    await teacherPage.getByTestId('to').pressSequentially('2b');
    await teacherPage.getByTestId('suggestion').filter({ hasText: `klasse-2b@${domain}` }).click();
    await expect(teacherPage.getByTestId('to')).toHaveValue(`klasse-2b@${domain}, `);
    await teacherPage.getByTestId('subject').fill('Wandertag am Freitag');
    await teacherPage.getByTestId('body').fill('Bitte **feste Schuhe** mitbringen.');
    await shot(teacherPage, 'mail-compose-tablet');
    await teacherPage.getByTestId('send').click();
    await expect(teacherPage).toHaveURL(/\/mail\?box=sent/);
    await expect(teacherPage.getByTestId('mail-row')).toContainText('Wandertag am Freitag');
    // Issue 18: the sent box says that the message went, and to whom.
    await expect(teacherPage.locator('output.toast')).toContainText(`klasse-2b@${domain}`);

    // No reload: the badge on the page opened before the message was sent turns to 1.
    await expect(pupilPage.getByTestId('unread')).toHaveText('1', { timeout: 30_000 });
    // Issue 18: the start page's post tile, open all along, says so too.
    await expect(pupilPage.getByTestId('tile-unread')).toHaveText('1 neue Nachricht');
    await shot(pupilPage, 'mail-unread-tablet');
    await pupilPage.getByTestId('nav-mail').click();
    await pupilPage.getByTestId('mail-row').filter({ hasText: 'Wandertag am Freitag' }).click();
    await expect(pupilPage.getByTestId('message-body').locator('strong')).toHaveText('feste Schuhe');
    await pupilPage.getByTestId('reply').click();
    await expect(pupilPage.locator('form.compose[data-hydrated="true"]')).toBeVisible();
    await expect(pupilPage.getByTestId('subject')).toHaveValue('AW: Wandertag am Freitag');
    await pupilPage.getByTestId('body').press('Home');
    await pupilPage.getByTestId('body').pressSequentially('Ich freue mich!');
    await pupilPage.getByTestId('send').click();
    await expect(pupilPage).toHaveURL(/\/mail\?box=sent/);
    await expect(teacherPage.getByTestId('unread')).toHaveText('1', { timeout: 30_000 });
  });

  // MAIL-3: the compose form counts with the shared rule and warns at the sixth recipient.
  test('a pupil trying a sixth recipient sees the warning', async () => {
    await compose(pupilPage);
    const warning = pupilPage.getByTestId('recipient-warning');
    const to = pupilPage.getByTestId('to');
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}@${domain}`).join(', ');
    await to.fill(five);
    await expect(warning).toBeHidden();
    await to.pressSequentially(`, f@${domain}`);
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('6 von höchstens 5');
    await shot(pupilPage, 'mail-recipient-warning-tablet');
    // The server decides too: sent anyway, it is refused with the same rule.
    await pupilPage.getByTestId('subject').fill('Hallo');
    await pupilPage.getByTestId('send').click();
    await expect(pupilPage.getByTestId('form-error')).toContainText('Zu viele Empfänger');
  });

  // MAIL-4: management opens a case; the pupil gets the notice in the inbox and on the start page.
  test('a management user opens a case and the pupil sees the notice', async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await firstLogin(page, management[0], management[1], 'Leitung&Rat33');
    await page.goto('/mail/cases');
    const until = new Date(Date.now() + 30 * 86400_000);
    const date = `${String(until.getDate()).padStart(2, '0')}.${String(until.getMonth() + 1).padStart(2, '0')}.${until.getFullYear()}`;
    await page.getByLabel('Postfach (Benutzername)').fill(pupils[0]);
    await page.getByLabel('Begründung (konkreter Verdacht)').fill('Hinweis der Eltern auf Drohungen per Post');
    await page.getByLabel('Aktenzeichen').fill('AZ 2026/31');
    await page.getByLabel('Wer darf lesen?').fill(teacher[0]);
    await page.getByLabel('Endet am').fill(date);
    await page.getByTestId('open-case').click();
    await expect(page.getByTestId('case-row')).toContainText('AZ 2026/31');
    await shot(page, 'mail-case-opened');
    await context.close();

    await pupilPage.goto('/');
    await expect(pupilPage.getByTestId('notice-banner')).toContainText('AZ 2026/31');
    await shot(pupilPage, 'mail-case-notice-tablet');
    await pupilPage.getByTestId('notice-banner').click();
    await expect(pupilPage.getByTestId('message-body')).toContainText('Mira Meister');

    // The designated teacher reads, marked as an inspection; the reading is counted on the case.
    await teacherPage.goto('/mail/case?case=1');
    await expect(teacherPage.getByTestId('case-banner')).toContainText('Einsicht – Vorgang AZ 2026/31');
    await teacherPage.getByTestId('mail-row').filter({ hasText: 'Wandertag' }).click();
    await expect(teacherPage.getByTestId('case-banner')).toBeVisible();
    await expect(teacherPage.getByTestId('message-body')).toContainText('feste Schuhe');
    await expect(teacherPage.getByTestId('reply')).toHaveCount(0);
    await expect(teacherPage.getByTestId('delete-message')).toHaveCount(0);
    await shot(teacherPage, 'mail-case-reader-tablet');
    await teacherContext.close();
    await pupilContext.close();
  });
});
