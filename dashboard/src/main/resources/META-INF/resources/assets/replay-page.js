// /replays/{sessionId}: an archived session played back from the archiver's
// GET /v1/replays/{sessionId}/events (NDJSON, seq order; needs the audit scope) through the same
// feed components as the live page, at 1×–50× with pause and seek. Quiet stretches longer than
// MAX_IDLE_MS are shortened to it, so a session that idled for an hour does not play an hour of
// nothing.
import { getNdjson } from './api.js';
import { FeedView, el } from './feed-view.js';
import { formatDuration } from './cards.js';

const MAX_IDLE_MS = 5_000;
const SPEEDS = [1, 2, 5, 10, 25, 50];
const ARCHIVER_KEY = 'agentfeed.archiver';

/** The archiver's base URL: ?archiver= (remembered), else this host on port 8083. */
export function archiverBase() {
  const url = new URL(window.location.href);
  const given = url.searchParams.get('archiver');
  if (given && /^https?:\/\//.test(given)) {
    localStorage.setItem(ARCHIVER_KEY, given.replace(/\/$/, ''));
    url.searchParams.delete('archiver');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }
  return (
    localStorage.getItem(ARCHIVER_KEY) ||
    `${window.location.protocol}//${window.location.hostname}:8083`
  );
}

export function showReplay(main, sessionId) {
  document.title = `Replay ${sessionId} · agentfeed`;
  const events = [];
  const byId = new Map();
  const offsets = [];
  let position = 0;
  let next = 0;
  let speed = 1;
  let playing = false;
  let loaded = false;
  let lastTick = 0;
  let frame = 0;

  const controls = el('div', 'controls player');
  controls.setAttribute('role', 'group');
  controls.setAttribute('aria-label', 'Playback');
  const play = el('button', 'play', 'Play');
  play.type = 'button';
  play.disabled = true;
  const speedLabel = el('label', 'field');
  speedLabel.htmlFor = 'replay-speed';
  speedLabel.append(el('span', null, 'Speed'));
  const speedSelect = document.createElement('select');
  speedSelect.id = 'replay-speed';
  for (const s of SPEEDS) {
    const option = el('option', null, `${s}×`);
    option.value = String(s);
    speedSelect.append(option);
  }
  speedLabel.append(speedSelect);
  const seekLabel = el('label', 'field seek');
  seekLabel.htmlFor = 'replay-seek';
  seekLabel.append(el('span', 'visually-hidden', 'Position'));
  const seek = document.createElement('input');
  seek.type = 'range';
  seek.id = 'replay-seek';
  seek.min = '0';
  seek.max = '0';
  seek.step = '100';
  seek.value = '0';
  seek.disabled = true;
  seekLabel.append(seek);
  const clock = el('span', 'clock', '0 ms / 0 ms');
  clock.setAttribute('aria-live', 'off');
  controls.append(play, speedLabel, seekLabel, clock);

  const view = new FeedView(main, sessionId, {
    title: `Replay of ${sessionId}`,
    controls,
    detail: async (eventId) => {
      const event = byId.get(eventId);
      if (!event) {
        throw new Error(`event ${eventId} is not in the archive`);
      }
      return event;
    },
  });
  view.root.dataset.replay = 'loading';

  const total = () => (offsets.length ? offsets[offsets.length - 1] : 0);
  const showClock = () => {
    seek.value = String(Math.round(position));
    const text = `${formatDuration(position) || '0 ms'} / ${formatDuration(total()) || '0 ms'}`;
    clock.textContent = `${text} · ${next} of ${events.length} events`;
    seek.setAttribute('aria-valuetext', text);
    view.root.dataset.replayApplied = String(next);
  };
  const applyUpTo = (t) => {
    const start = next;
    while (next < events.length && offsets[next] <= t) {
      next++;
    }
    if (next > start) {
      view.apply(events.slice(start, next));
    }
  };
  const tick = (now) => {
    frame = 0;
    if (!playing) {
      return;
    }
    const dt = Math.min(250, now - lastTick);
    lastTick = now;
    position = Math.min(total(), position + dt * speed);
    applyUpTo(position);
    showClock();
    if (next >= events.length && position >= total()) {
      setPlaying(false);
      return;
    }
    frame = requestAnimationFrame(tick);
  };
  const setPlaying = (on) => {
    playing = on && loaded;
    play.textContent = playing ? 'Pause' : 'Play';
    play.setAttribute('aria-pressed', String(playing));
    if (playing) {
      if (next >= events.length) {
        seekTo(0);
      }
      lastTick = performance.now();
      frame = frame || requestAnimationFrame(tick);
    }
  };
  const seekTo = (t) => {
    if (next > 0 && t < offsets[next - 1]) {
      view.reset();
      next = 0;
    }
    position = t;
    applyUpTo(t);
    showClock();
  };

  play.addEventListener('click', () => setPlaying(!playing));
  speedSelect.addEventListener('change', () => {
    speed = Number(speedSelect.value);
  });
  seek.addEventListener('input', () => seekTo(Number(seek.value)));

  const abort = new AbortController();
  getNdjson(
    `${archiverBase()}/v1/replays/${encodeURIComponent(sessionId)}/events`,
    (items) => {
      for (const event of items) {
        events.push(event);
        byId.set(event.id, event);
      }
    },
    abort.signal,
  )
    .then(() => {
      events.sort((a, b) => a.seq - b.seq);
      let t = 0;
      for (let i = 0; i < events.length; i++) {
        if (i > 0) {
          const gap = Date.parse(events[i].ts) - Date.parse(events[i - 1].ts);
          t += Math.min(MAX_IDLE_MS, Math.max(0, gap || 0));
        }
        offsets.push(t);
      }
      loaded = true;
      play.disabled = false;
      seek.disabled = false;
      seek.max = String(total());
      view.root.dataset.replay = 'ready';
      view.root.dataset.replayEvents = String(events.length);
      showClock();
      setPlaying(true);
    })
    .catch((error) => {
      if (error.name === 'AbortError') {
        return;
      }
      view.root.dataset.replay = 'failed';
      view.notice.hidden = false;
      view.notice.textContent =
        `The archive could not be read from ${archiverBase()}: ${error.message}. ` +
        'Replays need a token with the audit scope, and the archiver must allow this origin (CORS).';
    });

  return () => {
    abort.abort();
    playing = false;
    cancelAnimationFrame(frame);
  };
}
