import { call, problemDetail, serverDown } from '../api.js';
import { element, field, liveRegion, view } from '../dom.js';
import { uploadWithProgress } from '../upload.js';
import { wallClock } from '../visit-time.js';

interface Upload {
  uploadId: string;
  fileName: string;
  status: string;
  rows: { total: number; ingested: number; rejected: number };
  errors: { line: number; field: string; reason: string }[];
  reason: string | null;
  reportUrl: string | null;
}

interface Visit {
  medical_record_number: string;
  first_name: string;
  last_name: string;
  date_time: string;
  date_time_utc: string;
  doctors_notes: string;
}

const final = new Set(['completed', 'completed_with_errors', 'duplicate', 'failed']);
const keyName = 'skiff.records.apiKey';

/** The API key for this browser tab's session only: sessionStorage, never localStorage. */
const apiKey = () => sessionStorage.getItem(keyName) ?? '';
const auth = () => ({ 'x-api-key': apiKey() });
const forbidden = 'The API key was not accepted: check it and try again.';

function describeUpload(upload: Upload): string {
  const { total, ingested, rejected } = upload.rows;
  const counts = final.has(upload.status)
    ? ` — ${ingested} of ${total} rows ingested, ${rejected} rejected`
    : '';
  const reason = upload.reason ? ` (${upload.reason})` : '';
  return `${upload.fileName}: ${upload.status.replaceAll('_', ' ')}${counts}${reason}`;
}

/**
 * The rejects report, as a link to its API path. The API wants the key in a header, which a plain
 * link cannot send: a click fetches it with the key, saves it under the file's name, and lets go of
 * the bytes. A refusal is said beside the link.
 */
function reportLink(upload: Upload): HTMLElement {
  const url = upload.reportUrl as string;
  const link = element('a', { href: url }, `Rejects report of ${upload.fileName}`);
  const note = element('span', { class: 'field-error', 'aria-live': 'polite' });
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    note.textContent = '';
    const answer = await call<string>('GET', url, undefined, auth(), 'text');
    if (!answer.ok) {
      note.textContent = ` ${answer.detail}`;
      return;
    }
    const bytes = URL.createObjectURL(new Blob([answer.body], { type: 'text/csv' }));
    element('a', { href: bytes, download: `${upload.fileName}.rejects.csv` }).click();
    setTimeout(() => URL.revokeObjectURL(bytes), 0);
  });
  return element('span', {}, link, note);
}

/** An upload's line as it stands: status and counts, its first row errors, its rejects report. */
function uploadLine(upload: Upload): (Node | string)[] {
  const errors = upload.errors
    .slice(0, 5)
    .map((e) => element('li', {}, `line ${e.line}, ${e.field}: ${e.reason}`));
  const parts: (Node | string)[] = [describeUpload(upload)];
  if (errors.length) parts.push(element('ul', {}, ...errors));
  if (upload.reportUrl && final.has(upload.status)) parts.push(' ', reportLink(upload));
  return parts;
}

/** Why an upload was not taken: the server down, the key refused, or the problem's own detail. */
function refusal(sent: { status: number; body: unknown }): string {
  if (sent.status === 0) return serverDown;
  if (sent.status === 403) return forbidden;
  return problemDetail(sent.status, (sent.body ?? {}) as Record<string, unknown>);
}

/** One file's line: its progress while it uploads, then its status until final. */
async function trackFile(file: File, list: HTMLElement): Promise<void> {
  const progress = element('progress', { max: '1', value: '0', 'aria-label': `Uploading ${file.name}` });
  const line = element('li', {}, `${file.name} `, progress);
  list.append(line);
  const sent = await uploadWithProgress('/uploads', file, auth(), (fraction) => {
    progress.value = fraction;
  });
  if (sent.status !== 202) {
    line.textContent = `${file.name}: ${refusal(sent)}`;
    return;
  }
  const [{ uploadId }] = sent.body as [{ uploadId: string }];
  await followUpload(file, uploadId, line);
}

/** A hiccup worth another try: the network, throttling, or a server error. */
const passing = (status: number) => status === 0 || status === 429 || status >= 500;

/**
 * Polls an upload's status until it is final: every 0.4 s at first, slowing to every 5 s, through
 * passing failures; it stops when the line has left the page (another view), and after an hour, when
 * it says the upload is still going, since it is: the service finishes it whether anyone watches.
 */
async function followUpload(file: File, uploadId: string, line: HTMLElement): Promise<void> {
  const until = Date.now() + 60 * 60 * 1000;
  for (let wait = 400; line.isConnected; wait = Math.min(wait * 1.5, 5000)) {
    const answer = await call<Upload>('GET', `/uploads/${uploadId}`, undefined, auth());
    if (answer.ok) {
      line.replaceChildren(...uploadLine(answer.body));
      if (final.has(answer.body.status)) return;
    } else if (!passing(answer.status)) {
      line.textContent = `${file.name}: ${answer.detail}`;
      return;
    }
    if (Date.now() > until) {
      line.append(' (still going: look again later under this upload id: ', uploadId, ')');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** One visit: its time on the tenant's wall clock and in UTC, as the file gave it in the title. */
function visitRow(visit: Visit, timeZone: string): HTMLElement {
  const local = element(
    'td',
    { title: `As the file gave it: ${visit.date_time}` },
    wallClock(visit.date_time_utc, timeZone),
  );
  const cells = [
    visit.medical_record_number,
    `${visit.first_name} ${visit.last_name}`,
    local,
    wallClock(visit.date_time_utc, 'UTC', false),
    visit.doctors_notes,
  ];
  return element(
    'tr',
    {},
    ...cells.map((cell) => (typeof cell === 'string' ? element('td', {}, cell) : cell)),
  );
}

/**
 * Under `npm start`, `/_local` names the sandbox's own tenants and keys (it answers 404 anywhere
 * else): the view says so and fills in the first key, so a first try needs no docs.
 */
async function offerLocalKey(key: HTMLInputElement, hint: HTMLElement): Promise<void> {
  const local = await call<{ tenants?: { id: string; key: string }[] }>('GET', '/_local');
  const tenant = local.ok ? local.body.tenants?.[0] : undefined;
  if (!tenant) return;
  hint.textContent = `Running locally: tenant "${tenant.id}" has the API key ${tenant.key}.`;
  if (!key.value) key.value = tenant.key;
}

/** Records: the key, several CSV files (dropped or chosen) with live statuses, and a patient search. */
export function recordsView(): HTMLElement {
  const key = field('API key', 'apiKey', { type: 'password', autocomplete: 'off' });
  key.input.value = apiKey();
  const hint = element('p', { class: 'hint', id: 'local-key' });
  void offerLocalKey(key.input, hint);
  key.input.addEventListener('change', () => sessionStorage.setItem(keyName, key.input.value.trim()));
  const files = field('CSV files', 'files', { type: 'file', accept: '.csv,text/csv', multiple: '' });
  const uploads = element('ul', { 'aria-label': 'Uploads' });
  const upload = element(
    'form',
    { class: 'drop' },
    key.node,
    hint,
    files.node,
    element('div', { class: 'actions' }, element('button', { type: 'submit' }, 'Upload')),
  );
  const send = (list: FileList | null | undefined) => {
    sessionStorage.setItem(keyName, key.input.value.trim());
    for (const file of list ?? []) void trackFile(file, uploads);
  };
  upload.addEventListener('submit', (event) => {
    event.preventDefault();
    send(files.input.files);
  });
  upload.addEventListener('dragover', (event) => event.preventDefault());
  upload.addEventListener('drop', (event) => {
    event.preventDefault();
    send(event.dataTransfer?.files);
  });

  const mrn = field('Medical record number', 'medical_record_number');
  const lastName = field('Last name', 'last_name');
  const from = field('From', 'from', { type: 'date' });
  const to = field('To', 'to', { type: 'date' });
  const result = liveRegion();
  const table = element('table', { 'aria-label': 'Visits' });
  const more = element('button', { type: 'button', hidden: '' }, 'More visits');
  let query = '';
  const search = async (cursor?: string) => {
    const answer = await call<{ timeZone: string; items: Visit[]; nextCursor: string | null }>(
      'GET',
      `/records?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      undefined,
      auth(),
    );
    if (!answer.ok) {
      result.textContent = answer.status === 403 ? forbidden : answer.detail;
      return;
    }
    const head = element(
      'tr',
      {},
      ...['MRN', 'Patient', `Visit (${answer.body.timeZone})`, 'Visit (UTC)', 'Notes'].map((h) =>
        element('th', { scope: 'col' }, h),
      ),
    );
    if (!cursor) table.replaceChildren(head);
    table.append(...answer.body.items.map((visit) => visitRow(visit, answer.body.timeZone)));
    result.textContent = answer.body.items.length === 0 && !cursor ? 'No visits match.' : '';
    more.hidden = !answer.body.nextCursor;
    more.onclick = () => void search(answer.body.nextCursor ?? undefined);
  };
  const find = element(
    'form',
    {},
    mrn.node,
    lastName.node,
    from.node,
    to.node,
    element('div', { class: 'actions' }, element('button', { type: 'submit' }, 'Search')),
  );
  find.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(keyName, key.input.value.trim());
    const params = new URLSearchParams({ limit: '20' });
    for (const f of [mrn, lastName, from, to])
      if (f.input.value.trim()) params.set(f.input.name, f.input.value.trim());
    query = params.toString();
    void search();
  });
  return view('Records', upload, uploads, element('h3', {}, 'Find a patient'), find, result, table, more);
}
