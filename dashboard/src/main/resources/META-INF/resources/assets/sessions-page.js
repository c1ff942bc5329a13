// /: the organisation's active and recent sessions. The list, with each session's counters, comes
// from GET /v1/sessions?status=all (a summary per session from sessions.stats: one request for
// the whole page), and an orgWide subscription keeps every row current in between: each event
// updates its session's row at once, and an event whose seq the list already counted is not
// counted again. The next list read (a second after events, and every 10 s) corrects what live
// counting can only estimate (a file edited again counts once).
import { getJson, sessionsFrom } from './api.js';
import { el } from './feed-view.js';
import { formatDuration, formatTime } from './cards.js';

const REFRESH_MS = 10_000;

export function showSessions(main, connection) {
  document.title = 'Sessions · agentfeed';
  const rows = new Map();
  const rowElements = new Map();
  const filters = { status: 'all', agent: '' };

  const section = el('section', 'sessions');
  section.setAttribute('aria-labelledby', 'sessions-title');
  const title = el('h1', null, 'Sessions');
  title.id = 'sessions-title';
  const bar = el('form', 'toolbar');
  bar.setAttribute('role', 'search');
  bar.setAttribute('aria-label', 'Filter sessions');
  bar.addEventListener('submit', (e) => e.preventDefault());
  const statusSelect = select('status-filter', 'Status', [
    ['all', 'All'],
    ['active', 'Active'],
    ['completed', 'Completed'],
    ['failed', 'Failed'],
  ]);
  const agentSelect = select('agent-filter', 'Agent', [['', 'All agents']]);
  bar.append(statusSelect.label, agentSelect.label);
  const message = el('p', 'notice');
  message.setAttribute('role', 'status');
  message.hidden = true;
  const table = el('table', 'sessions-table');
  const caption = el('caption', 'visually-hidden', 'Sessions of your organisation, newest first');
  const head = el('thead');
  const headRow = el('tr');
  for (const name of [
    'Session',
    'Status',
    'Agent',
    'Started',
    'Duration',
    'Tool calls',
    'Failures',
    'Files',
    'Cost',
  ]) {
    const th = el('th', null, name);
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  const body = el('tbody');
  body.id = 'sessions-body';
  table.append(caption, head, body);
  const empty = el('p', 'muted', 'No sessions yet. Post events to the ingest service and they appear here.');
  section.append(title, bar, message, table, empty);
  main.replaceChildren(section);

  statusSelect.input.addEventListener('change', () => {
    filters.status = statusSelect.input.value;
    render();
  });
  agentSelect.input.addEventListener('change', () => {
    filters.agent = agentSelect.input.value;
    render();
  });

  let frame = 0;
  const render = () => {
    frame = 0;
    const list = [...rows.values()].sort((a, b) => (b.firstTs || '').localeCompare(a.firstTs || ''));
    const agents = [...new Set(list.map((r) => r.agentId).filter(Boolean))].sort();
    syncOptions(agentSelect.input, agents);
    const shown = list.filter(
      (r) =>
        (filters.status === 'all' ||
          r.status === filters.status ||
          (filters.status === 'active' && isActive(r))) &&
        (!filters.agent || r.agentId === filters.agent),
    );
    const elements = shown.map((row) => rowElement(row, rowElements));
    // Rows are updated in place; the body is rebuilt only when the set or order changed, so a
    // focused link keeps its focus while its session updates.
    const current = body.children;
    const same =
      current.length === elements.length && elements.every((tr, i) => current[i] === tr);
    if (!same) {
      body.replaceChildren(...elements);
    }
    empty.hidden = shown.length > 0;
    table.hidden = shown.length === 0;
    section.dataset.count = String(shown.length);
  };
  const schedule = () => {
    if (!frame) {
      frame = requestAnimationFrame(render);
    }
  };

  const abort = new AbortController();
  let refreshTimer = null;
  const load = async () => {
    refreshTimer = null;
    try {
      const list = sessionsFrom(await getJson('/v1/sessions?status=all', abort.signal));
      for (const summary of list) {
        mergeSummary(rows, summary);
      }
      message.hidden = true;
    } catch (error) {
      if (error.name !== 'AbortError') {
        message.hidden = false;
        message.textContent = `The session list could not be read: ${error.message}. Live events still appear.`;
      }
    }
    schedule();
  };
  const refreshSoon = () => {
    if (!refreshTimer) {
      refreshTimer = setTimeout(load, 1000);
    }
  };
  load();
  const periodic = setInterval(load, REFRESH_MS);

  const subscription = connection.subscribe({ orgWide: true }, 'live', {
    onEvents: (events) => {
      for (const event of events) {
        applyEvent(rows, event);
      }
      schedule();
      refreshSoon();
    },
    onSubscribed: () => {
      message.hidden = true;
    },
    onError: (frame) => {
      message.hidden = false;
      message.textContent =
        frame.code === 'unavailable'
          ? `The gateway is not ready yet (${frame.message}); trying again…`
          : `Live updates are off (${frame.code}): ${frame.message}`;
    },
  });

  return () => {
    abort.abort();
    clearTimeout(refreshTimer);
    clearInterval(periodic);
    cancelAnimationFrame(frame);
    subscription.close();
  };
}

function newRow(sessionId) {
  return {
    sessionId,
    agentId: null,
    status: 'running',
    firstTs: null,
    lastTs: null,
    lastSeq: 0,
    countedSeq: 0,
    toolCalls: 0,
    failures: 0,
    // files changed as of the list's count, plus paths seen live since
    filesCounted: 0,
    files: new Set(),
    costUsd: null,
  };
}

/** A session summary of the list: identity, status, times and the counters as of its lastSeq. */
function mergeSummary(rows, summary) {
  const row = rows.get(summary.sessionId) || newRow(summary.sessionId);
  rows.set(summary.sessionId, row);
  const seq = summary.lastSeq || 0;
  if (seq >= row.lastSeq) {
    row.lastSeq = seq;
    row.status = summary.status || row.status;
    row.lastTs = summary.lastTs || row.lastTs;
  }
  if (seq >= row.countedSeq) {
    // live events did not count further than the list: its counters are the truth
    row.countedSeq = seq;
    row.toolCalls = summary.toolCalls || 0;
    row.failures = summary.toolFailures || 0;
    row.filesCounted = summary.filesChanged || 0;
    row.files = new Set();
    row.costUsd = typeof summary.costUsd === 'number' ? summary.costUsd : null;
  }
  row.agentId = row.agentId || summary.agentId;
  row.firstTs = summary.firstTs || row.firstTs;
  return row;
}

function applyEvent(rows, event) {
  let row = rows.get(event.sessionId);
  if (!row) {
    row = newRow(event.sessionId);
    row.agentId = event.agentId;
    row.firstTs = event.ts;
    rows.set(event.sessionId, row);
  }
  if (typeof event.seq === 'number') {
    if (event.seq <= row.countedSeq) {
      return; // counted already (or delivered twice)
    }
    row.countedSeq = event.seq;
    row.lastSeq = Math.max(row.lastSeq, event.seq);
  }
  row.lastTs = event.ts;
  row.agentId = row.agentId || event.agentId;
  const data = event.data || {};
  switch (event.type) {
    case 'tool.completed':
      row.toolCalls++;
      if (data.success === false) {
        row.failures++;
      }
      break;
    case 'tool.failed':
      row.toolCalls++;
      row.failures++;
      break;
    case 'file.created':
    case 'file.edited':
    case 'file.deleted':
      row.files.add(data.path);
      break;
    case 'session.completed':
      row.status = 'completed';
      break;
    case 'session.failed':
      row.status = 'failed';
      break;
    case 'session.started':
      row.status = 'running';
      break;
    default:
      break;
  }
  if (data.usage && typeof data.usage.costUsd === 'number' && event.type.startsWith('session.')) {
    row.costUsd = data.usage.costUsd;
  }
}

const COLUMNS = 8;

function rowElement(row, rowElements) {
  let tr = rowElements.get(row.sessionId);
  if (!tr) {
    tr = el('tr');
    tr.dataset.session = row.sessionId;
    const name = el('th');
    name.scope = 'row';
    const link = el('a', null, row.sessionId);
    link.href = `/sessions/${encodeURIComponent(row.sessionId)}`;
    link.dataset.nav = '';
    name.append(link);
    tr.append(name);
    for (let i = 0; i < COLUMNS; i++) {
      tr.append(el('td'));
    }
    tr.cells[1].append(el('span'));
    rowElements.set(row.sessionId, tr);
  }
  const status = tr.cells[1].firstChild;
  status.className = `status status-${isActive(row) ? 'running' : row.status}`;
  setText(status, row.status === 'running' ? 'active' : row.status);
  const values = [
    row.agentId || '—',
    row.firstTs ? `${new Date(row.firstTs).toLocaleDateString()} ${formatTime(row.firstTs)}` : '—',
    duration(row),
    String(row.toolCalls),
    String(row.failures),
    String(row.filesCounted + row.files.size),
    typeof row.costUsd === 'number' ? `$${row.costUsd.toFixed(4)}` : '—',
  ];
  values.forEach((value, i) => setText(tr.cells[i + 2], value));
  return tr;
}

function setText(node, text) {
  if (node.textContent !== text) {
    node.textContent = text;
  }
}

function duration(row) {
  if (!row.firstTs) {
    return '—';
  }
  const end = isActive(row) ? Date.now() : Date.parse(row.lastTs);
  return formatDuration(Math.max(0, end - Date.parse(row.firstTs)));
}

/** Running or idle: not completed nor failed. */
function isActive(row) {
  return row.status !== 'completed' && row.status !== 'failed';
}

function select(id, text, options) {
  const label = el('label', 'field');
  label.htmlFor = id;
  label.append(el('span', null, text));
  const input = document.createElement('select');
  input.id = id;
  for (const [value, name] of options) {
    const option = el('option', null, name);
    option.value = value;
    input.append(option);
  }
  label.append(input);
  return { label, input };
}

function syncOptions(selectEl, agents) {
  const existing = new Set([...selectEl.options].map((o) => o.value));
  for (const agent of agents) {
    if (!existing.has(agent)) {
      const option = el('option', null, agent);
      option.value = agent;
      selectEl.append(option);
    }
  }
}
