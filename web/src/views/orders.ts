import { call } from '../api.js';
import { element, liveRegion, view } from '../dom.js';

interface Run {
  runId: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startedAt: string;
  settled: number | null;
  left: number | null;
  accepted: number | null;
  rejected: number | null;
  error: { error: string } | null;
}

interface Order {
  record_id: string;
  status: string;
  power?: number;
}

/** The brief's example orders. */
const example = JSON.stringify(
  [
    { record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 },
    { record_id: 'unique_id_2', parameter_1: 'def', parameter_2: 2.1 },
  ],
  null,
  2,
);

const describeRun = (run: Run) => {
  const counts =
    run.settled === null
      ? ''
      : `: ${run.accepted} accepted, ${run.rejected} rejected, ${run.left} left for the next run`;
  const error = run.error ? ` (${run.error.error})` : '';
  return `${run.startedAt.slice(11, 19)} ${run.status}${counts}${error}`;
};

/** Orders: submit the JSON, run the pipeline, watch runs until they finish, see each order's outcome. */
export function ordersView(): HTMLElement {
  const text = element('textarea', { id: 'field-orders', name: 'orders', rows: '8', cols: '60' }, example);
  const result = liveRegion();
  const runs = element('ul', { 'aria-label': 'Recent runs' });
  const outcomes = element('ul', { 'aria-label': 'Order outcomes' });
  let submitted: string[] = [];

  const refresh = async () => {
    const page = await call<{ runs: Run[] }>('GET', '/orders/pipeline/runs?limit=5');
    if (!page.ok) return;
    runs.replaceChildren(...page.body.runs.map((run) => element('li', {}, describeRun(run))));
    const orders = await Promise.all(
      submitted.map((id) => call<Order>('GET', `/orders/${encodeURIComponent(id)}`)),
    );
    outcomes.replaceChildren(
      ...orders.flatMap((answer) =>
        answer.ok ? [element('li', {}, `${answer.body.record_id}: ${answer.body.status}`)] : [],
      ),
    );
    if (page.body.runs.some((run) => run.status === 'RUNNING')) setTimeout(refresh, 500);
  };

  const form = element('form', {}, element('label', { for: text.id }, 'Orders (JSON)', text));
  const submit = element('button', { type: 'submit' }, 'Submit orders');
  const run = element('button', { type: 'button' }, 'Run pipeline');
  form.append(element('div', { class: 'actions' }, submit, run));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    result.classList.remove('error');
    let orders: unknown;
    try {
      orders = JSON.parse(text.value);
    } catch {
      result.textContent = 'That is not valid JSON (no trailing commas).';
      result.classList.add('error');
      return;
    }
    const answer = await call<{ count: number; record_ids: string[] }>('POST', '/orders', orders);
    if (answer.ok) {
      submitted = answer.body.record_ids;
      result.textContent = `${answer.body.count} order(s) stored for 24 hours.`;
      await refresh();
    } else {
      result.textContent = answer.detail;
      result.classList.add('error');
    }
  });
  run.addEventListener('click', async () => {
    const answer = await call<{ runId: string }>('POST', '/orders/pipeline/runs');
    result.textContent = answer.ok ? 'Pipeline run started.' : answer.detail;
    await refresh();
  });
  void refresh();
  return view(
    'Orders',
    form,
    result,
    element('h3', {}, 'Recent runs'),
    runs,
    element('h3', {}, 'Outcomes'),
    outcomes,
  );
}
