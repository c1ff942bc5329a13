// The read token. It arrives once in ?access_token= (the link the local stack prints) or is typed
// into a prompt; it is kept in sessionStorage (this tab only, gone when the tab closes) and removed
// from the visible URL at once, so it does not end up in history, bookmarks or screenshots.

const KEY = 'agentfeed.token';

/** Moves a token from the URL into sessionStorage and strips it from the address bar. */
export function captureTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('access_token');
  if (token) {
    sessionStorage.setItem(KEY, token.trim());
    url.searchParams.delete('access_token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

/** The token's claims (org, scope, exp), read without verifying: for display only. */
export function claims() {
  const t = token();
  if (!t) {
    return null;
  }
  try {
    const part = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

/**
 * Shows a form asking for a token and resolves once one is entered. `reason` says why (none yet,
 * refused, expired).
 */
export function promptForToken(container, reason) {
  return new Promise((resolve) => {
    container.replaceChildren();
    const form = document.createElement('form');
    form.className = 'token-form';
    form.setAttribute('aria-labelledby', 'token-title');
    const title = document.createElement('h1');
    title.id = 'token-title';
    title.textContent = 'Sign in with a read token';
    const why = document.createElement('p');
    why.textContent = reason;
    const label = document.createElement('label');
    label.htmlFor = 'token-input';
    label.textContent = 'Token (a JWT with the read scope; audit too for replays)';
    const input = document.createElement('textarea');
    input.id = 'token-input';
    input.name = 'token';
    input.rows = 4;
    input.required = true;
    input.autocomplete = 'off';
    input.spellcheck = false;
    const button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'Open dashboard';
    form.append(title, why, label, input, button);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (value) {
        sessionStorage.setItem(KEY, value);
        resolve(value);
      }
    });
    container.append(form);
    input.focus();
  });
}
