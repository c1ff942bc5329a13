// The page's entry point: token, routes and the connection indicator. Routes are real paths
// (/, /sessions/{id}, /replays/{id}) that the gateway answers with index.html, so every session has
// a shareable URL; in-page links switch views without reloading and keep the one WebSocket.
import { captureTokenFromUrl, token, forgetToken, promptForToken, claims } from './auth.js';
import { FeedConnection } from './stream.js';
import { showSessions } from './sessions-page.js';
import { showSession } from './session-page.js';
import { showReplay, archiverBase } from './replay-page.js';

const main = document.getElementById('main');
const indicator = document.getElementById('connection');
const connection = new FeedConnection();
let leave = () => {};

const STATE_TEXT = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

connection.addEventListener('state', (e) => {
  const { state, inMs } = e.detail;
  indicator.dataset.state = state;
  let text = STATE_TEXT[state] || state;
  if (state === 'reconnecting' && inMs) {
    text = `Reconnecting in ${(inMs / 1000).toFixed(1)} s…`;
  }
  indicator.querySelector('.label').textContent = text;
  indicator.title = `${text}; reconnects so far: ${connection.reconnects}`;
});
let prompting = false;
connection.addEventListener('unauthorized', async (e) => {
  if (prompting) {
    return;
  }
  prompting = true;
  forgetToken();
  leave();
  await promptForToken(
    main,
    e.detail.status === 403
      ? 'The token lacks the read scope for this dashboard. Enter another token.'
      : 'The token was refused (expired or not valid here). Enter a new token.',
  );
  prompting = false;
  connection.drop(); // the open socket was authorized with the old token
  route();
});

function route() {
  leave();
  connection.closeAll();
  const path = window.location.pathname;
  const session = /^\/sessions\/([^/]+)\/?$/.exec(path);
  const replay = /^\/replays\/([^/]+)\/?$/.exec(path);
  if (session) {
    leave = showSession(main, decodeURIComponent(session[1]), connection);
  } else if (replay) {
    leave = showReplay(main, decodeURIComponent(replay[1]));
    indicator.dataset.state = 'archive';
    indicator.querySelector('.label').textContent = 'Archive';
  } else {
    leave = showSessions(main, connection);
  }
}

export function navigate(href) {
  history.pushState(null, '', href);
  route();
  main.focus({ preventScroll: true });
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-nav]');
  if (
    !link ||
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return;
  }
  event.preventDefault();
  navigate(link.getAttribute('href'));
});
window.addEventListener('popstate', route);

/** Behind an auth proxy that adds the Authorization header itself, no token is needed. */
async function authorizedWithoutToken() {
  try {
    const response = await fetch('/v1/sessions?status=active');
    return response.status !== 401 && response.status !== 403;
  } catch {
    return false;
  }
}

async function start() {
  captureTokenFromUrl();
  archiverBase();
  if (!token() && !(await authorizedWithoutToken())) {
    await promptForToken(main, 'No token yet: the dashboard reads with a bearer token.');
  }
  const org = claims()?.org;
  if (org) {
    indicator.dataset.org = org;
  }
  window.agentfeed = { connection, navigate };
  route();
}

start();
