import { call } from '../api.js';
import { element, field, liveRegion, view } from '../dom.js';

/** Greetings: save a date of birth, then greet; the API's message verbatim, errors by their field. */
export function greetingsView(): HTMLElement {
  const username = field('Username', 'username', { autocomplete: 'off', required: '' });
  const birth = field('Date of birth', 'dateOfBirth', { type: 'date' });
  const result = liveRegion();
  const clear = () => {
    for (const f of [username, birth]) f.error.textContent = '';
    result.textContent = '';
    result.classList.remove('error');
  };
  const show = (detail: string, errors: { field: string; message: string }[]) => {
    for (const { field: name, message } of errors) {
      const target = name.endsWith('dateOfBirth') ? birth : username;
      target.error.textContent = message;
    }
    result.textContent = detail;
    result.classList.add('error');
  };
  const path = () => `/hello/${encodeURIComponent(username.input.value.trim())}`;

  const save = element('button', { type: 'submit' }, 'Save');
  const greet = element('button', { type: 'button' }, 'Greet');
  const form = element(
    'form',
    {},
    username.node,
    birth.node,
    element('div', { class: 'actions' }, save, greet),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    const answer = await call('PUT', path(), { dateOfBirth: birth.input.value });
    if (answer.ok) result.textContent = `Saved ${username.input.value.trim()}'s date of birth.`;
    else show(answer.detail, answer.errors);
  });
  greet.addEventListener('click', async () => {
    clear();
    const answer = await call<{ message: string }>('GET', path());
    if (answer.ok) result.textContent = answer.body.message;
    else show(answer.detail, answer.errors);
  });
  return view('Greetings', form, result);
}
