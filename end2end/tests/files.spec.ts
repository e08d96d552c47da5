import { test, expect, Page, BrowserContext } from '@playwright/test';
import { firstLogin, schulhof, shot, tablet } from './support';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

const domain = 'amsee.example';

/** How many blobs the store holds: the proof that a refused upload stored nothing. */
function blobCount(): number {
  const count = (dir: string): number =>
    !existsSync(dir) ? 0 : readdirSync(dir).reduce((n, name) => {
      const path = join(dir, name);
      return n + (statSync(path).isDirectory() ? count(path) : 1);
    }, 0);
  return count(join(process.env.SCHULHOF_E2E_DATA!, 'files', 'b'));
}

async function tabletPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(tablet);
  return page;
}

async function openClassFolder(page: Page) {
  await page.getByTestId('nav-files').click();
  await page.getByRole('link', { name: '1a', exact: true }).click();
  await expect(page.locator('form[data-testid="upload"][data-hydrated="true"]')).toBeVisible();
}

test.describe.serial('files', () => {
  let pupilLogin = '';

  // FILE-1, FILE-2: a teacher uploads a worksheet to the class folder and sees real progress;
  // a 25 MB file is refused before a byte is sent, and nothing is stored.
  test('a teacher fills the class folder on a tablet', async ({ browser }) => {
    schulhof('admin', 'create-school', 'Grundschule Am See', domain);
    const admin = schulhof('admin', 'create-user', domain, 'admin', 'Alex', 'Admin');
    const teacher = schulhof('admin', 'create-user', domain, 'teacher', 'Frida', 'Fuchs');
    const adminContext = await browser.newContext();
    const adminPage = await tabletPage(adminContext);
    await firstLogin(adminPage, admin.match(/login: (\S+)/)![1], admin.match(/start password: (\S+)/)![1], 'Wolken&Schaf51');
    // The class 1a appears with its first pupil; the teacher becomes its owner.
    const created = await adminPage.request.post('/api/users/create', {
      form: { first_name: 'Paul', last_name: 'Panda', role: 'pupil', class: '1a' },
      headers: { Accept: 'application/json' },
    });
    expect(created.ok()).toBeTruthy();
    pupilLogin = await created.json();
    const groups = await (await adminPage.request.post('/api/groups/list', { form: { query: '1a' } })).json();
    const teacherLogin = teacher.match(/login: (\S+)/)![1];
    const added = await adminPage.request.post('/api/groups/add-member', {
      form: { group_id: String(groups[0].id), login: teacherLogin, owner: 'true' },
    });
    expect(added.ok()).toBeTruthy();
    await adminContext.close();

    const context = await browser.newContext();
    const page = await tabletPage(context);
    await firstLogin(page, teacherLogin, teacher.match(/start password: (\S+)/)![1], 'Kreide&Tafel77');
    await openClassFolder(page);
    await expect(page.getByTestId('transfer-limit')).toContainText('20 MB');

    // A slow line makes the progress visible: 3 MB at about 1 MB/s.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1_000_000,
    });
    await page.getByTestId('file-input').setInputFiles({
      name: 'Arbeitsblatt.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(3 * 1024 * 1024, 37),
    });
    const progress = page.getByTestId('upload-progress');
    await expect(progress).toContainText(/MB \(([1-9]|[1-9]\d) %\)/);
    await expect(page.getByRole('button', { name: 'Abbrechen' })).toBeVisible();
    await shot(page, 'files-upload-progress-tablet');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
    });
    // When every upload is done, the page reloads with the new file in the list.
    await expect(page.getByTestId('file-row').filter({ hasText: 'Arbeitsblatt.pdf' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('file-row')).toContainText('Frida Fuchs');

    const before = blobCount();
    let sent = false;
    page.on('request', (r) => { if (r.url().includes('/files/upload')) sent = true; });
    await expect(page.locator('form[data-testid="upload"][data-hydrated="true"]')).toBeVisible();
    await page.getByTestId('file-input').setInputFiles({
      name: 'Ausflug.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(25 * 1024 * 1024, 1),
    });
    await expect(page.getByTestId('upload-error')).toContainText('Die Datei ist zu groß');
    await shot(page, 'files-too-large-tablet');
    expect(sent).toBe(false);
    expect(blobCount()).toBe(before);
    await page.reload();
    await expect(page.getByTestId('file-row')).toHaveCount(1);

    // FILE-1: the class's teacher decides what the children may do in its folder. The default
    // lets each child change only their own things.
    await page.getByTestId('member-rights').locator('summary').click();
    await expect(page.getByLabel('Etwas hinzufügen und nur die eigenen Sachen ändern oder löschen')).toBeChecked();
    await shot(page, 'files-member-rights-tablet');
    await page.getByLabel('Nur ansehen und herunterladen').check();
    await page.getByTestId('member-rights').getByRole('button', { name: 'Speichern' }).click();
    await page.getByTestId('member-rights').locator('summary').click();
    await expect(page.getByLabel('Nur ansehen und herunterladen')).toBeChecked();
    await context.close();
  });

  // FILE-1: the pupil downloads the worksheet, and cleans up their own folder and trash.
  test('a pupil downloads the worksheet and empties the trash', async ({ browser }) => {
    const start = schulhof('admin', 'start-password', pupilLogin).trim();
    const context = await browser.newContext();
    const page = await tabletPage(context);
    await firstLogin(page, pupilLogin, start, 'Sonne&Mond42');
    await page.getByTestId('nav-files').click();
    await page.getByRole('link', { name: '1a', exact: true }).click();
    // The teacher made the folder read-only for the class: no upload box, no actions on the
    // teacher's worksheet, and a plain word why.
    await expect(page.getByTestId('read-only')).toBeVisible();
    await expect(page.getByTestId('upload')).toHaveCount(0);
    await expect(page.getByTestId('file-row').getByText('Aktionen')).toHaveCount(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Arbeitsblatt.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Arbeitsblatt.pdf');
    expect(statSync(await download.path()).size).toBe(3 * 1024 * 1024);

    await page.getByRole('link', { name: 'Meine Dateien' }).click();
    await expect(page.locator('form[data-testid="upload"][data-hydrated="true"]')).toBeVisible();
    // A child's drawing: orange on white, as a real PNG.
    const drawing = new PNG({ width: 320, height: 240 });
    for (let i = 0; i < drawing.data.length; i += 4) {
      drawing.data.set([245, 130, 30, 255], i);
    }
    await page.getByTestId('file-input').setInputFiles({
      name: 'Hausaufgabe.png', mimeType: 'image/png', buffer: PNG.sync.write(drawing),
    });
    const row = page.getByTestId('file-row').filter({ hasText: 'Hausaufgabe.png' });
    await expect(row).toBeVisible();
    // Issue 18 §5: the picture shows itself in the list, made small on the server.
    const thumb = row.locator('img.thumb');
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
    await shot(page, 'files-thumbnail-tablet');
    await row.getByText('Aktionen').click();
    // FILE-1: deleting asks first and names what goes.
    await row.locator('details.confirm > summary').click();
    await expect(row.getByRole('dialog')).toContainText('„Hausaufgabe.png“ in den Papierkorb legen?');
    await row.getByTestId('delete').click();
    await expect(page.getByTestId('file-row')).toHaveCount(0);
    await page.getByTestId('trash-link').click();
    await expect(page.getByTestId('trash-row')).toHaveCount(1);
    await shot(page, 'files-trash-tablet');
    await page.getByText('Papierkorb leeren').first().click();
    await page.getByTestId('empty-trash').click();
    await expect(page.getByTestId('trash-empty')).toBeVisible();
    await context.close();
  });
});
