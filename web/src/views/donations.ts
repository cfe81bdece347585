import { call } from '../api.js';
import { element, field, liveRegion, view } from '../dom.js';
import { formatMinorUnits, toMinorUnits } from '../money.js';

interface Donor {
  donorId: string;
  donationCount: number;
  totals: Record<string, number>;
  thankYou: { status: string; sentAt?: string };
}

interface Sent {
  topic: string;
  subject?: string;
  message: string;
  publishedAt: string;
}

const currencies = ['GBP', 'EUR', 'USD'];

/**
 * Under `npm start`, the thank-yous SNS would have delivered, from the local inbox
 * (`/_local/notifications`, which answers 404 anywhere else: the list then stays hidden).
 */
async function showInbox(inbox: HTMLElement): Promise<void> {
  const answer = await call<Sent[]>('GET', '/_local/notifications');
  if (!answer.ok) return;
  const thanks = answer.body.filter((sent) => sent.topic.endsWith('-donations-thank-you')).reverse();
  inbox.hidden = false;
  inbox.replaceChildren(
    element('h3', {}, 'Thank-yous sent (local inbox)'),
    thanks.length === 0
      ? element('p', {}, 'None yet: the second donation of a donor sends one.')
      : element(
          'ul',
          { 'aria-label': 'Thank-yous sent' },
          ...thanks.map((sent) =>
            element(
              'li',
              {},
              `${sent.publishedAt.slice(0, 19).replace('T', ' ')} UTC, "${sent.subject ?? ''}": ${sent.message}`,
            ),
          ),
        ),
  );
}

/** Donations: give in pounds (sent in pence), then the donor's count, totals and thank-you status. */
export function donationsView(): HTMLElement {
  const donor = field('Donor', 'donorId', { autocomplete: 'off', required: '' });
  const amount = field('Amount', 'amount', { inputmode: 'decimal', placeholder: '12.50', required: '' });
  const currency = element(
    'select',
    { id: 'field-currency', name: 'currency' },
    ...currencies.map((code) => element('option', { value: code }, code)),
  );
  const result = liveRegion();
  const summary = element('div', { 'aria-live': 'polite' });
  const inbox = element('section', { hidden: '', 'aria-live': 'polite' });
  void showInbox(inbox);
  const form = element(
    'form',
    {},
    donor.node,
    amount.node,
    element('label', { for: currency.id }, 'Currency', currency),
    element('div', { class: 'actions' }, element('button', { type: 'submit' }, 'Donate')),
  );

  const showDonor = async (donorId: string) => {
    const answer = await call<Donor>('GET', `/donors/${encodeURIComponent(donorId)}`);
    if (!answer.ok) return;
    const { donationCount, totals, thankYou } = answer.body;
    const given = Object.entries(totals)
      .map(([code, minor]) => formatMinorUnits(minor, code))
      .join(', ');
    summary.replaceChildren(
      element('p', {}, `${donationCount} donation(s), ${given} in all. Thank-you: ${thankYou.status}.`),
    );
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    donor.error.textContent = '';
    amount.error.textContent = '';
    result.classList.remove('error');
    const minor = toMinorUnits(amount.input.value, currency.value);
    if (minor === undefined) {
      amount.error.textContent = 'Enter an amount such as 12.50';
      return;
    }
    const donorId = donor.input.value.trim();
    const answer = await call<{ donationCount: number; thankYouSent: boolean }>('POST', '/donations', {
      donorId,
      amount: minor,
      currency: currency.value,
    });
    if (answer.ok) {
      const thanks = answer.body.thankYouSent ? ' A thank-you was sent.' : '';
      result.textContent = `Thank you! Donation ${answer.body.donationCount} recorded.${thanks}`;
      await showDonor(donorId);
      await showInbox(inbox);
    } else {
      result.textContent = answer.detail;
      result.classList.add('error');
      for (const e of answer.errors) if (e.field.endsWith('donorId')) donor.error.textContent = e.message;
    }
  });
  return view('Donations', form, result, summary, inbox);
}
