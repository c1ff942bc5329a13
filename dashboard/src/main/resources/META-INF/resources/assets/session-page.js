// /sessions/{sessionId}: the session's whole history, then its live events, through one
// subscription from "beginning" that the connection resumes from its last cursor after any drop.
import { getJson, HttpError } from './api.js';
import { FeedView, el } from './feed-view.js';

const BULK_EVENTS = 32;

export function showSession(main, sessionId, connection) {
  const controls = el('div', 'controls');
  const replay = el('a', 'button-link', 'Replay');
  replay.href = `/replays/${encodeURIComponent(sessionId)}`;
  replay.dataset.nav = '';
  controls.append(replay);
  const view = new FeedView(main, sessionId, {
    title: `Session ${sessionId}`,
    controls,
    detail: (eventId) =>
      withRetries(() =>
        getJson(
          `/v1/sessions/${encodeURIComponent(sessionId)}/events/${encodeURIComponent(eventId)}/detail`,
        ),
      ),
  });
  document.title = `${sessionId} · agentfeed`;

  // Events are applied once per frame, however many frames the socket delivered in between.
  // While history pours in (more events a frame than any live rate gives), every 100 ms
  // instead: redrawing the tail of the feed 60 times a second while it still moves is wasted.
  let pending = [];
  let scheduled = false;
  let bulk = false;
  const flush = () => {
    scheduled = false;
    const events = pending;
    pending = [];
    bulk = events.length >= BULK_EVENTS;
    view.apply(events);
  };
  const enqueue = (events) => {
    for (const event of events) {
      pending.push(event);
    }
    if (!scheduled) {
      scheduled = true;
      if (document.hidden || bulk) {
        setTimeout(flush, 100);
      } else {
        requestAnimationFrame(flush);
      }
    }
  };

  let statsTimer = null;
  let lastStatsAt = 0;
  const abort = new AbortController();
  const loadStats = async () => {
    statsTimer = null;
    lastStatsAt = performance.now();
    try {
      view.setStats(
        await getJson(`/v1/sessions/${encodeURIComponent(sessionId)}/stats`, abort.signal),
      );
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 404) {
        console.debug('stats unavailable', error);
      }
    }
  };
  // Stats lag the feed slightly; refresh at most every 2 s while events flow.
  const refreshStats = () => {
    if (!statsTimer) {
      const wait = Math.max(0, 2000 - (performance.now() - lastStatsAt));
      statsTimer = setTimeout(loadStats, wait);
    }
  };
  loadStats();

  const subscription = connection.subscribe({ sessionId }, 'beginning', {
    onEvents: (events) => {
      enqueue(events);
      refreshStats();
    },
    onSubscribed: () => {
      view.notice.hidden = true;
    },
    onError: (frame) => {
      view.notice.hidden = false;
      view.notice.textContent =
        frame.code === 'unavailable'
          ? `The gateway is not ready yet (${frame.message}); trying again…`
          : `The gateway refused the subscription (${frame.code}): ${frame.message}`;
    },
  });

  return () => {
    abort.abort();
    clearTimeout(statsTimer);
    subscription.close();
  };
}

/**
 * The gateway finds a detail through the session's statistics, which trail the live feed by a
 * moment: an event expanded right after it arrived may be answered 404 (or 503) at first.
 */
async function withRetries(call) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = error instanceof HttpError && [404, 503].includes(error.status);
      if (!retriable || attempt >= 4) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 400 * 2 ** attempt));
    }
  }
}
