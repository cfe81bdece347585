import { donationsView } from './views/donations.js';
import { greetingsView } from './views/greetings.js';
import { ordersView } from './views/orders.js';
import { recordsView } from './views/records.js';
import { usersView } from './views/users.js';

/** The console's views, by the fragment that names them (`#greetings`). */
const views: Record<string, { label: string; render: () => HTMLElement }> = {
  greetings: { label: 'Greetings', render: greetingsView },
  donations: { label: 'Donations', render: donationsView },
  users: { label: 'Users', render: usersView },
  orders: { label: 'Orders', render: ordersView },
  records: { label: 'Records', render: recordsView },
};

function show(): void {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'greetings';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('#tabs a')) {
    if (link.hash === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('view') as HTMLElement;
  main.replaceChildren((views[name] as (typeof views)[string]).render());
}

const tabs = document.getElementById('tabs') as HTMLElement;
for (const [name, { label }] of Object.entries(views)) {
  const link = document.createElement('a');
  link.href = `#${name}`;
  link.textContent = label;
  tabs.append(link);
}
/**
 * The last line of defence: an answer no view expected (a proxy's page where JSON should be, a shape
 * from another version) is said on the page, and the view stays usable, rather than failing silently.
 */
function trouble(): void {
  const note = document.getElementById('trouble') as HTMLElement;
  note.textContent = 'Something unexpected came back from the server. Try again, or reload the page.';
  note.hidden = false;
}
window.addEventListener('unhandledrejection', trouble);
window.addEventListener('error', trouble);
window.addEventListener('hashchange', () => {
  (document.getElementById('trouble') as HTMLElement).hidden = true;
  show();
});
show();
