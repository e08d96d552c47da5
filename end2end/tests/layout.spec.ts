// UX-2, issue 18: every page fits a phone (360×740) and a tablet (768×1024): nothing scrolls
// sideways and nothing is cut off at the right edge, except inside a container that scrolls on
// purpose (a wide table). The pages carry real content with long German names and words, as a
// school has them. The phone's navigation has labels, and the unread badge can be seen.
import { test, expect, Page, Browser } from '@playwright/test';
import { firstLogin, schulhof, shot } from './support';

const domain = 'ring.example';
const phone = { width: 360, height: 740 };
const tablet = { width: 768, height: 1024 };

/** What poked out, on every page: collected, so one run names all of it. */
const problems: string[] = [];

/** Visits `path` at phone and tablet size and names every element that pokes out. */
async function fits(page: Page, path: string) {
  for (const size of [phone, tablet]) {
    await page.setViewportSize(size);
    const res = await page.goto(path);
    expect(res?.status(), `${path} answers`).toBeLessThan(400);
    const found = await page.evaluate(() => {
      const width = window.innerWidth;
      const found: string[] = [];
      const page = document.documentElement.scrollWidth;
      if (page > width) found.push(`the page is ${page} px wide`);
      const scrollsOnPurpose = (el: Element) => {
        for (let p = el.parentElement; p; p = p.parentElement) {
          const overflow = getComputedStyle(p).overflowX;
          if (overflow === 'auto' || overflow === 'scroll') return true;
        }
        return false;
      };
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.right <= width + 1) continue;
        if (getComputedStyle(el).visibility === 'hidden' || scrollsOnPurpose(el)) continue;
        const name = el.getAttribute('data-testid') || el.className || el.tagName;
        found.push(`${el.tagName.toLowerCase()} "${name}" ends at ${Math.round(box.right)} px`);
      }
      return found.slice(0, 5);
    });
    problems.push(...found.map((f) => `${path} at ${size.width} px: ${f}`));
    if (found.length > 0) {
      const name = path.replace(/[^a-z0-9]+/gi, '-');
      await page.screenshot({ path: `test-results/screenshots/overflow${name}-${size.width}.png`, fullPage: true });
    }
  }
}

async function signedIn(browser: Browser, role: string, first: string, last: string, password: string) {
  const out = schulhof('admin', 'create-user', domain, role, first, last);
  const page = await (await browser.newContext()).newPage();
  await firstLogin(page, out.match(/login: (\S+)/)![1], out.match(/start password: (\S+)/)![1], password);
  return { page, login: out.match(/login: (\S+)/)![1] };
}

test('every page fits a phone and a tablet', async ({ browser }) => {
  test.setTimeout(240_000);
  schulhof('admin', 'create-school', 'Grundschule am Ring mit einem recht langen Namen', domain);
  const admin = await signedIn(browser, 'admin', 'Annegret', 'Schönfeld-Oberhausen', 'Wolken&Schaf51');
  const created = await admin.page.request.post('/api/users/create', {
    form: { first_name: 'Maximiliane', last_name: 'Maier-Lüdenscheid', role: 'pupil', class: '2b' },
    headers: { Accept: 'application/json' },
  });
  expect(created.ok()).toBeTruthy();
  const pupilLogin: string = await created.json();
  const group = (await (await admin.page.request.post('/api/groups/list', { form: { query: '2b' } })).json())[0];
  const teacher = await signedIn(browser, 'teacher', 'Jörg', 'Großmann-Wiedenbrück', 'Kreide&Tafel77');
  expect((await admin.page.request.post('/api/groups/add-member', {
    form: { group_id: String(group.id), login: teacher.login, owner: 'true' },
  })).ok()).toBeTruthy();
  const management = await signedIn(browser, 'management', 'Mechthild', 'Überbrückenbauer', 'Leitung&Haus31');

  // Content with long words: a message, an event and a file.
  const long = 'Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen';
  await fits(teacher.page, '/mail/compose');
  await teacher.page.setViewportSize(tablet);
  await teacher.page.goto('/mail/compose');
  await expect(teacher.page.locator('form.compose[data-hydrated="true"]')).toBeVisible();
  await teacher.page.getByTestId('to').fill(pupilLogin);
  await teacher.page.getByTestId('subject').fill(`Elternabend und ${long}`);
  await teacher.page.getByTestId('body').fill(`Liebe Eltern, ${long} ${long}.`);
  await teacher.page.getByTestId('send').click();
  await expect(teacher.page).toHaveURL(/box=sent/);
  const event = await teacher.page.request.post('/api/calendar/create', {
    form: {
      calendar: `g${group.id}`, title: `Wandertag zum ${long}`, place: long, description: long,
      // Today in the school's time zone: after 23:00 UTC the UTC date is already yesterday.
      date: new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' }), start: '08:00', end: '12:00', repeat: '', until: '', exceptions: '', reminder: '',
    },
  });
  expect(event.status()).toBeLessThan(400);

  const pupil = await (await browser.newContext()).newPage();
  await firstLogin(pupil, pupilLogin, schulhof('admin', 'start-password', pupilLogin).trim(), 'Sonne&Mond42');
  await pupil.setViewportSize(phone);
  await pupil.goto('/files');
  await pupil.getByTestId('file-input').setInputFiles({
    name: `${long}-Arbeitsblatt-für-die-Klasse-2b.pdf`, mimeType: 'application/pdf', buffer: Buffer.alloc(2048, 37),
  });
  await expect(pupil.getByTestId('file-row')).toHaveCount(1, { timeout: 20_000 });
  // Issue 18: the quota in words a child understands, not "2 KB von 500 MB belegt".
  await expect(pupil.getByTestId('fill-words')).toHaveText(/Fast nichts belegt/);

  // The phone's navigation names its places, and the unread badge is there to see.
  await pupil.goto('/');
  const badge = pupil.getByTestId('unread');
  await expect(badge).toHaveText('1');
  const box = (await badge.boundingBox())!;
  expect(box.width, 'the unread badge is visible on a phone').toBeGreaterThanOrEqual(16);
  expect(box.height, 'the unread badge is visible on a phone').toBeGreaterThanOrEqual(16);
  for (const id of ['nav-mail', 'nav-calendar', 'nav-files', 'nav-addressbook']) {
    const label = pupil.getByTestId(id).locator('.nav-label');
    await expect(label, `${id} has a visible label`).toBeVisible();
    expect((await label.boundingBox())!.width).toBeGreaterThan(20);
  }
  await shot(pupil, 'layout-pupil-home-phone');

  await pupil.goto('/mail');
  await pupil.getByTestId('mail-items').getByRole('link').first().click();
  const message = new URL(pupil.url()).pathname + new URL(pupil.url()).search;
  await pupil.goto('/calendar?view=agenda');
  await pupil.getByTestId('cal-entry').first().click();
  const eventPage = new URL(pupil.url()).pathname + new URL(pupil.url()).search;
  for (const path of ['/', '/mail', message, '/mail/compose', '/files', '/files/trash', '/calendar',
    '/calendar?view=week', '/calendar?view=month', eventPage, '/calendar/feeds', '/addressbook', '/account', '/policy']) {
    await fits(pupil, path);
  }
  await shot(pupil, 'layout-pupil-policy-tablet');

  for (const path of [`/files?space=g${group.id}&folder=0`, `/calendar/new?cal=g${group.id}`, eventPage]) {
    await fits(teacher.page, path);
  }

  const pupilId = (await (await admin.page.request.post('/api/users/list', {
    form: { query: 'Maier', sort: '', page: '0' },
  })).json()).rows[0].id;
  for (const path of ['/', '/admin/users', `/admin/users/${pupilId}`, '/admin/groups', `/admin/groups/${group.id}`,
    '/admin/deletions', '/admin/mail', '/admin/files', '/admin/filter?scope=school', '/admin/year-end', '/mail', '/files']) {
    await fits(admin.page, path);
  }
  for (const path of ['/logs', '/mail/reports', '/mail/cases']) {
    await fits(management.page, path);
  }
  expect(problems).toEqual([]);
});
