/** Small DOM helpers: every control gets a visible label, every message a live region. */

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A labelled input with a place for its own error, named for the API field it feeds. */
export function field(label: string, name: string, attributes: Record<string, string> = {}) {
  const input = element('input', { name, id: `field-${name}`, ...attributes });
  const error = element('span', { class: 'field-error', id: `error-${name}`, 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', error.id);
  return { input, error, node: element('label', { for: input.id }, label, input, error) };
}

/** A region whose text a screen reader announces when it changes. */
export function liveRegion(): HTMLElement {
  return element('div', { class: 'result', role: 'status', 'aria-live': 'polite' });
}

/** A view: a section named by its heading, with its parts. */
export function view(title: string, ...parts: (Node | string)[]): HTMLElement {
  const id = `${title.toLowerCase()}-title`;
  return element('section', { 'aria-labelledby': id }, element('h2', { id }, title), ...parts);
}
