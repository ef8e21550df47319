import { login } from './api.js';
import { h, mount } from './dom.js';

// The sign-in screen: email + password against POST /console/api/login (sets the sb_console cookie).

/** @param {HTMLElement} root @param {{onSignedIn: (session: import('./app.js').Me) => Promise<void>}} options */
export function renderLogin(root, { onSignedIn }) {
  const error = h('p', { class: 'login-error', role: 'alert', hidden: true });
  const email = h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');

  const form = h(
    'form',
    { class: 'login-card', 'aria-labelledby': 'login-title', novalidate: true },
    h('div', { class: 'brand brand-lg' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'S'), h('span', {}, 'Switchboard')),
    h('h1', { id: 'login-title' }, 'Sign in to the console'),
    h('p', { class: 'muted' }, 'Use the email and password your administrator gave you.'),
    error,
    h('div', { class: 'field' }, h('label', { for: 'login-email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'Password'), password),
    submit,
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!email.value.trim() || !password.value) {
      showError('Enter your email and password.');
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const session = await login(email.value.trim(), password.value);
      password.value = '';
      await onSignedIn(session);
    } catch (/** @type {any} */ err) {
      showError(err.status === 429 ? 'Too many attempts. Wait a minute and try again.' : err.message);
      password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });

  /** @param {string} message */
  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  mount(root, h('main', { class: 'login-page' }, form));
  email.focus();
}
