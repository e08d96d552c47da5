import { test, expect, Page } from '@playwright/test';
import { firstLogin, schulhof, shot, tablet } from './support';

const phone = { width: 390, height: 844 };
const domain = 'wald.example';

/** A weekday a few days ahead, as typed (DD.MM.YYYY) and as stored (YYYY-MM-DD). */
function dayAhead(days: number): [string, string] {
  const d = new Date(Date.now() + days * 86400_000);
  const [dd, mm, yyyy] = [String(d.getDate()).padStart(2, '0'), String(d.getMonth() + 1).padStart(2, '0'), d.getFullYear()];
  return [`${dd}.${mm}.${yyyy}`, `${yyyy}-${mm}-${dd}`];
}

test.describe.serial('calendar', () => {
  let pupil = '';
  let pupilStart = '';
  const [typed, iso] = dayAhead(3);

  // CAL-1, CAL-2: at tablet size a teacher adds "Wandertag" to 2b's calendar and moves it an
  // hour later; a pupil of 2b sees it in the week and, on the event, its history.
  test('a teacher plans Wandertag for 2b and a pupil sees it and its history', async ({ browser }) => {
    schulhof('admin', 'create-school', 'Grundschule am Wald', domain);
    const admin = schulhof('admin', 'create-user', domain, 'admin', 'Anke', 'Admin');
    const teacher = schulhof('admin', 'create-user', domain, 'teacher', 'Thea', 'Tanne');
    const teacherLogin = teacher.match(/login: (\S+)/)![1];
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await firstLogin(adminPage, admin.match(/login: (\S+)/)![1], admin.match(/start password: (\S+)/)![1], 'Wolken&Schaf51');
    const created = await adminPage.request.post('/api/users/create', {
      form: { first_name: 'Lina', last_name: 'Laub', role: 'pupil', class: '2b' },
      headers: { Accept: 'application/json' },
    });
    expect(created.ok()).toBeTruthy();
    pupil = await created.json();
    pupilStart = schulhof('admin', 'start-password', pupil).trim();
    const groups = await (await adminPage.request.post('/api/groups/list', { form: { query: '2b' } })).json();
    const added = await adminPage.request.post('/api/groups/add-member', {
      form: { group_id: String(groups[0].id), login: teacherLogin, owner: 'true' },
    });
    expect(added.ok()).toBeTruthy();
    await adminContext.close();

    const context = await browser.newContext({ viewport: tablet });
    const page = await context.newPage();
    await firstLogin(page, teacherLogin, teacher.match(/start password: (\S+)/)![1], 'Kreide&Tafel77');
    await page.getByTestId('nav-calendar').click();
    await page.getByRole('link', { name: '2b', exact: true }).click();
    await page.getByTestId('new-event').click();
    await page.getByLabel('Titel').fill('Wandertag');
    // Issue 18: typed the way a teacher writes on paper: the day without its year, "8" and
    // "12.00" for the times. The event shows the German date, never ISO.
    await page.getByLabel('Datum').fill(typed.slice(0, 6));
    await page.getByLabel('Beginn').fill('8');
    await page.getByLabel('Ende').fill('12.00');
    await page.getByLabel('Ort').fill('Treffpunkt Schulhof');
    await page.getByTestId('save-event').click();
    await expect(page.getByTestId('event-title')).toHaveText('Wandertag');
    await expect(page.getByTestId('event-when')).toContainText(`${typed} · 08:00–12:00`);
    await expect(page.getByLabel('Datum')).toHaveValue(typed);
    // Moved an hour later through the edit form on the same page.
    await page.getByLabel('Beginn').fill('900');
    await page.getByLabel('Ende').fill('13:00');
    await page.getByTestId('save-event').click();
    await expect(page.getByTestId('event-when')).toContainText('09:00–13:00');
    await expect(page.getByTestId('history-entry')).toHaveCount(2);
    // The history names the day as it was typed, in German, never as stored.
    await expect(page.getByTestId('history-entry').first()).toContainText(typed);
    await shot(page, 'calendar-event-history-tablet');
    await context.close();

    const pupilContext = await browser.newContext({ viewport: tablet });
    const pupilPage = await pupilContext.newPage();
    await firstLogin(pupilPage, pupil, pupilStart, 'Sonne&Mond42');
    await pupilPage.goto(`/calendar?date=${iso}`);
    const entry = pupilPage.getByTestId('cal-week').getByTestId('cal-entry').filter({ hasText: 'Wandertag' });
    await expect(entry).toBeVisible();
    await expect(entry).toContainText('09:00–13:00');
    await shot(pupilPage, 'calendar-week-tablet');
    await entry.click();
    const history = pupilPage.getByTestId('history-entry');
    await expect(history).toHaveCount(2);
    await expect(history.nth(1)).toContainText('Geändert');
    await expect(history.nth(1)).toContainText('Thea Tanne');
    await expect(history.nth(1)).toContainText('08:00');
    // A pupil reads the class calendar but has no form to change it.
    await expect(pupilPage.getByTestId('event-form')).toHaveCount(0);
    await pupilContext.close();
  });

  // CAL-3: at phone size a parent, on the child's account, makes a feed address and copies it
  // for the phone's calendar app; the address answers with the class's events.
  test('a parent copies the feed link on a phone', async ({ browser }) => {
    const context = await browser.newContext({ viewport: phone });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Benutzername').fill(pupil);
    await page.getByLabel('Passwort', { exact: true }).fill('Sonne&Mond42');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect(page.getByTestId('dashboard')).toBeVisible();
    await expect(page.getByTestId('upcoming')).toContainText('Wandertag');
    await page.goto('/calendar');
    // On a phone the agenda shows, not the week.
    await expect(page.getByTestId('cal-agenda').getByText('Wandertag')).toBeVisible();
    await expect(page.getByTestId('cal-week')).toBeHidden();
    await page.getByTestId('feeds-link').click();
    await page.getByTestId('create-feed').click();
    const url = page.getByTestId('feed-url');
    await expect(url).toHaveValue(/\/calendar\/feed\/[0-9a-f]{64}\.ics$/);
    await page.getByTestId('copy-feed').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await url.inputValue());
    await shot(page, 'calendar-feed-phone');
    const feed = await page.request.get(copied.replace(/^https?:\/\/[^/]+/, ''));
    expect(feed.status()).toBe(200);
    expect(await feed.text()).toContain('SUMMARY:Wandertag');
    // Shown once: after a reload only the list remains.
    await page.reload();
    await expect(page.getByTestId('feed-url')).toHaveCount(0);
    await expect(page.getByTestId('feed-row')).toHaveCount(1);
    await context.close();
  });
});
