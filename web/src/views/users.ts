import { call } from '../api.js';
import { element, field, liveRegion, view } from '../dom.js';

interface User {
  id: string;
  name: string;
  email: string;
  avatar_url: string | null;
}

const pageSize = 5;

/** One user in the list: the avatar as an image, and a way to replace it. */
function userItem(user: User, replaced: () => void): HTMLElement {
  const picture = user.avatar_url
    ? element('img', {
        // Drawn afresh on every listing: a replaced avatar keeps its URL, not its bytes.
        src: `${new URL(user.avatar_url).pathname}?shown=${Date.now()}`,
        alt: `${user.name}'s avatar`,
        width: '48',
        height: '48',
      })
    : element('span', {}, '(no avatar)');
  const file = element('input', { type: 'file', accept: 'image/*', id: `replace-${user.id}` });
  const replace = element('button', { type: 'button' }, `Replace avatar of ${user.name}`);
  replace.addEventListener('click', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const form = new FormData();
    form.append('user_id', user.id);
    form.append('file', chosen);
    if ((await call('POST', '/upload', form)).ok) replaced();
  });
  return element(
    'li',
    {},
    picture,
    ` ${user.name} (${user.email}) `,
    element('label', { for: file.id }, `New avatar for ${user.name}`, file),
    replace,
  );
}

/** Users: create one with an avatar (previewed), list them a page at a time, replace an avatar. */
export function usersView(): HTMLElement {
  const name = field('Name', 'name', { required: '' });
  const email = field('Email', 'email', { type: 'email', required: '' });
  const avatar = field('Avatar', 'avatar', { type: 'file', accept: 'image/*' });
  const preview = element('img', { alt: 'Avatar preview', hidden: '', width: '96', height: '96' });
  avatar.input.addEventListener('change', () => {
    const file = avatar.input.files?.[0];
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });
  const result = liveRegion();
  const list = element('ul', { 'aria-label': 'Users' });
  const more = element('button', { type: 'button', hidden: '' }, 'Next page');
  let next: string | undefined;

  const load = async (path = `/users?limit=${pageSize}`) => {
    const page = await call<User[]>('GET', path);
    if (!page.ok) {
      list.replaceChildren(element('li', {}, `The users could not be listed: ${page.detail}`));
      return;
    }
    list.replaceChildren(...page.body.map((user) => userItem(user, () => void load(path))));
    if (page.body.length === 0) list.replaceChildren(element('li', {}, 'No users yet.'));
    next = page.next;
    more.hidden = !next;
  };
  more.addEventListener('click', () => next && void load(next));

  const form = element(
    'form',
    {},
    name.node,
    email.node,
    avatar.node,
    preview,
    element('div', { class: 'actions' }, element('button', { type: 'submit' }, 'Create user')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of [name, email, avatar]) f.error.textContent = '';
    result.classList.remove('error');
    const body = new FormData();
    body.append('name', name.input.value);
    body.append('email', email.input.value);
    const file = avatar.input.files?.[0];
    if (file) body.append('avatar', file);
    const answer = await call<User>('POST', '/user', body);
    if (answer.ok) {
      result.textContent = `Created ${answer.body.name}.`;
      await load();
      return;
    }
    result.textContent = answer.detail;
    result.classList.add('error');
    for (const e of answer.errors) {
      const target = [name, email, avatar].find((f) => e.field.endsWith(f.input.name));
      if (target) target.error.textContent = e.message;
    }
  });
  void load();
  return view('Users', form, result, element('h3', {}, 'All users'), list, more);
}
