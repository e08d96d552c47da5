// ABS-1, ABS-2: a parent reports the child sick on the phone with a note; the class teacher,
// on a tablet, sees it on the morning list and marks another child missing; the secretariat,
// on a desktop, sees that child with the family's number and ticks it when reached.
import { test, expect } from '@playwright/test';
import { schulhof, tablet, shot, firstLogin, noSideways, noSeriousA11yFindings } from './support';

const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 800 };
const domain = 'ahornschule.example';

const login = (out: string) => out.match(/login: (\S+)/)![1];
const start = (out: string) => out.match(/start password: (\S+)/)![1];

test('a parent reports sick, the teacher marks another child missing, the office calls', async ({ browser }) => {
  schulhof('admin', 'create-school', 'Ahornschule', domain);
  const office = schulhof('admin', 'create-user', domain, 'secretariat', 'Sina', 'Schreiber');
  const teacher = schulhof('admin', 'create-user', domain, 'teacher', 'Tilo', 'Tafel');

  // The secretariat enrols two pupils of 2b, makes Tilo their class teacher and prints Mia's
  // parents' letter.
  const officeContext = await browser.newContext({ viewport: desktop });
  const desk = await officeContext.newPage();
  await firstLogin(desk, login(office), start(office), 'Tinte&Feder42');
  const pupils: Record<string, number> = {};
  for (const [first, last] of [['Mia', 'Maus'], ['Lena', 'Linde']]) {
    const created = await desk.request.post('/api/users/create', {
      form: { first_name: first, last_name: last, role: 'pupil', class: '2b' },
      headers: { Accept: 'application/json' },
    });
    expect(created.ok()).toBeTruthy();
    const found = await (await desk.request.post('/api/users/list', {
      form: { query: last, sort: 'name', page: '1' },
      headers: { Accept: 'application/json' },
    })).json();
    pupils[first] = found.rows[0].id;
  }
  const groups = await (await desk.request.post('/api/groups/list', { form: { query: '2b' } })).json();
  const added = await desk.request.post('/api/groups/add-member', {
    form: { group_id: String(groups[0].id), login: login(teacher), owner: 'true' },
  });
  expect(added.ok()).toBeTruthy();
  const letters = await (await desk.request.post('/admin/guardian-codes', {
    form: { user_id: String(pupils['Mia']), copies: '1' },
  })).text();
  const code = letters.match(/data-testid="guardian-code"[^>]*>([A-Z2-9-]{19})</)![1];

  // The mother, on her phone: registers, accepts the policy, reports Mia sick with a note.
  const phoneContext = await browser.newContext({ viewport: phone, isMobile: true, hasTouch: true });
  const parent = await phoneContext.newPage();
  await parent.goto(`/register#code=${code.replace(/-/g, '')}`);
  await parent.getByLabel('Vorname').fill('Maria');
  await parent.getByLabel('Nachname').fill('Maus');
  await parent.getByLabel('Neues Passwort', { exact: true }).fill('Wolke-Radio-Gurke-83!');
  await parent.getByLabel('Neues Passwort noch einmal').fill('Wolke-Radio-Gurke-83!');
  await parent.getByTestId('register-submit').click();
  await expect(parent).toHaveURL(/\/policy$/);
  await parent.getByTestId('accept-policy').click();
  await expect(parent.getByTestId('child-card')).toHaveCount(1);
  await parent.getByTestId('report-absence').click();
  await expect(parent.getByRole('heading', { name: 'Mia krankmelden' })).toBeVisible();
  await expect(parent.getByText('Bitte keine Diagnosen angeben.', { exact: false })).toBeVisible();
  await parent.getByLabel('Nachricht an die Schule (freiwillig)').fill('Kommt voraussichtlich Donnerstag wieder.');
  await noSideways(parent);
  await noSeriousA11yFindings(parent);
  await shot(parent, 'absence-form-phone');
  await parent.getByTestId('send-absence').click();
  await expect(parent.getByTestId('absence-reports')).toContainText('krank');
  await noSideways(parent);
  await shot(parent, 'absence-reported-phone');
  await phoneContext.close();

  // The class teacher, on a tablet: the morning list from the start page; Mia is reported,
  // Lena is marked missing with one tap.
  const teacherContext = await browser.newContext({ viewport: tablet });
  const board = await teacherContext.newPage();
  await firstLogin(board, login(teacher), start(teacher), 'Wolke&Kreide58');
  await board.getByTestId('morning-lists').getByRole('link', { name: '2b' }).click();
  await expect(board.getByTestId('morning-list-title')).toHaveText('Heute in der 2b');
  const mia = board.getByTestId('morning-row').filter({ hasText: 'Mia Maus' });
  await expect(mia).toContainText('krank');
  const lena = board.getByTestId('morning-row').filter({ hasText: 'Lena Linde' });
  await expect(lena).toContainText('da');
  await lena.getByTestId('mark-yes').click();
  await expect(board.getByTestId('morning-row').filter({ hasText: 'Lena Linde' })).toContainText('fehlt ohne Meldung');
  await expect(board.getByTestId('morning-summary')).toHaveText('0 da · 1 gemeldet · 1 fehlen ohne Meldung');
  await noSideways(board);
  await noSeriousA11yFindings(board);
  await shot(board, 'morning-list-tablet');
  await teacherContext.close();

  // The secretariat: Lena on the list of children missing without a report, then reached.
  await desk.goto('/');
  await desk.getByTestId('missing-link').click();
  const missing = desk.getByTestId('missing-child');
  await expect(missing).toHaveCount(1);
  await expect(missing).toContainText('Lena Linde');
  await expect(missing).toContainText('keine Eltern-Konten verknüpft');
  await noSeriousA11yFindings(desk);
  await shot(desk, 'absences-missing-desktop');
  await desk.getByTestId('mark-reached').click();
  await expect(desk.getByTestId('reached')).toContainText('Sina Schreiber');
  await officeContext.close();
});
