// One card per feed item. Everything from the agent goes in as textContent, except message
// markdown, which goes through renderMarkdown (escaped HTML + DOMPurify).
import { renderMarkdown } from './markdown.js';
import { renderDiff } from './diff.js';
import { isDetailRef } from './model.js';

/**
 * `ctx`: `expanded` (Set of item keys), `toggle(key)`, and `detail(eventId)` → Promise of the full
 * enriched event.
 */
export function renderCard(item, el, ctx) {
  el.replaceChildren();
  el.className = `card card-${item.kind}${item.isError ? ' is-error' : ''}`;
  el.dataset.kind = item.kind;
  el.dataset.key = item.key;
  if (item.seq !== undefined) {
    el.dataset.seq = String(item.seq);
  }
  const render = RENDERERS[item.kind] || renderLog;
  render(item, el, ctx);
}

const RENDERERS = {
  tool: renderTool,
  file: renderFile,
  message: renderMessage,
  thinking: renderThinking,
  phase: renderPhase,
  artifact: renderArtifact,
  session: renderSession,
  log: renderLog,
};

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  return node;
}

function header(item, badge, title) {
  const head = h('header', 'card-head');
  head.append(h('span', `badge badge-${item.kind}`, badge));
  const t = h('span', 'card-title', title);
  head.append(t);
  const meta = h('span', 'card-meta');
  if (item.ts) {
    const time = h('time', null, formatTime(item.ts));
    time.dateTime = item.ts;
    meta.append(time);
  }
  if (item.seq !== undefined) {
    meta.append(h('span', 'seq', `#${item.seq}`));
  }
  head.append(meta);
  return head;
}

function expander(item, el, ctx, label, fill) {
  const open = ctx.expanded.has(item.key);
  const button = h('button', 'expand', open ? `Hide ${label}` : `Show ${label}`);
  button.type = 'button';
  button.setAttribute('aria-expanded', String(open));
  const regionId = `detail-${cssId(item.key)}`;
  button.setAttribute('aria-controls', regionId);
  button.addEventListener('click', () => ctx.toggle(item.key));
  el.append(button);
  if (open) {
    const region = h('div', 'detail');
    region.id = regionId;
    region.setAttribute('role', 'region');
    region.setAttribute('aria-label', `${label} of ${item.key}`);
    region.setAttribute('aria-busy', 'true');
    region.append(h('p', 'muted', 'Loading…'));
    el.append(region);
    Promise.resolve(fill())
      .then((nodes) => {
        region.replaceChildren(...nodes);
      })
      .catch((error) => {
        region.replaceChildren(h('p', 'error-text', `Could not load the detail: ${error.message}`));
      })
      .finally(() => region.setAttribute('aria-busy', 'false'));
  }
}

function renderTool(item, el, ctx) {
  el.append(header(item, 'tool', item.toolName));
  const line = h('div', 'card-line');
  const status = h('span', `status status-${item.status}`, STATUS_TEXT[item.status]);
  line.append(status);
  if (item.durationMs !== undefined && item.durationMs !== null) {
    line.append(h('span', 'duration', formatDuration(item.durationMs)));
  }
  const summary = argumentSummary(item.input);
  if (summary) {
    line.append(h('code', 'args', summary));
  }
  el.append(line);
  if (item.error) {
    el.append(h('p', 'error-text', item.error));
  } else if (item.resultSummary) {
    el.append(h('p', 'result', item.resultSummary));
  }
  expander(item, el, ctx, 'arguments and result', async () => {
    let problem = null;
    const events = await Promise.all(
      item.eventIds.map((id) =>
        ctx.detail(id).catch((error) => {
          problem = error;
          return null;
        }),
      ),
    );
    if (problem && (isDetailRef(item.input) || isDetailRef(item.output))) {
      throw problem; // the live event does not hold the values: nothing to fall back on
    }
    let input = item.input;
    let output = item.output;
    for (const event of events) {
      const data = (event && event.data) || {};
      if (data.input !== undefined) {
        input = data.input;
      }
      if (data.output !== undefined) {
        output = data.output;
      }
    }
    const nodes = [h('h3', null, 'Arguments'), jsonBlock(input)];
    nodes.push(h('h3', null, 'Result'), jsonBlock(output ?? item.resultSummary ?? item.error));
    if (problem) {
      nodes.push(h('p', 'muted', `As delivered live; the full detail is unavailable: ${problem.message}`));
    }
    return nodes;
  });
}

const STATUS_TEXT = { running: 'running', ok: 'ok', failed: 'failed' };

function renderFile(item, el, ctx) {
  el.append(header(item, `file ${item.action}`, item.path));
  const line = h('div', 'card-line');
  const added = h('span', 'added', `+${item.linesAdded ?? 0}`);
  added.setAttribute('aria-label', `${item.linesAdded ?? 0} lines added`);
  const removed = h('span', 'removed', `−${item.linesRemoved ?? 0}`);
  removed.setAttribute('aria-label', `${item.linesRemoved ?? 0} lines removed`);
  line.append(added, removed);
  if (item.diffSkipped) {
    line.append(h('span', 'muted', `no diff (${item.diffSkipped})`));
  }
  el.append(line);
  if (item.preview) {
    el.append(renderDiff(item.preview, `Diff preview of ${item.path}`));
  }
  const moreThanPreview =
    isDetailRef(item.diff) || (typeof item.diff === 'string' && item.diff !== item.preview);
  if (moreThanPreview) {
    expander(item, el, ctx, 'full diff', async () => {
      let diff = item.diff;
      if (typeof diff !== 'string') {
        const event = await ctx.detail(item.eventId);
        diff = event.data && event.data.diff;
      }
      return [renderDiff(diff || '', `Full diff of ${item.path}`)];
    });
  }
}

function renderMessage(item, el, ctx) {
  el.append(header(item, item.role, item.streaming ? 'writing…' : 'message'));
  const body = h('div', 'markdown');
  body.innerHTML = renderMarkdown(item.text);
  if (item.streaming) {
    body.classList.add('streaming');
    el.setAttribute('aria-busy', 'true');
  } else {
    el.removeAttribute('aria-busy');
  }
  el.append(body);
  if (item.textRef) {
    expander(item, el, ctx, 'whole message', async () => {
      const event = await ctx.detail(item.completedEventId);
      const full = h('div', 'markdown');
      full.innerHTML = renderMarkdown(event.data.text);
      return [full];
    });
  }
}

function renderThinking(item, el, ctx) {
  const title = item.done
    ? `thought for ${formatDuration(item.durationMs ?? 0)}`
    : 'thinking…';
  el.append(header(item, 'thinking', title));
  if (item.done && item.text !== undefined && item.text !== null) {
    expander(item, el, ctx, 'thinking', async () => {
      let text = item.text;
      if (isDetailRef(text)) {
        text = (await ctx.detail(item.eventId)).data.text;
      }
      return [h('p', 'thinking-text', text)];
    });
  }
}

function renderPhase(item, el) {
  el.append(header(item, 'phase', `Phase: ${item.phase}`));
}

function renderArtifact(item, el, ctx) {
  el.append(header(item, item.artifactKind || 'artifact', item.name));
  const uri = safeUri(item.uri);
  const isImage = (item.contentType || '').startsWith('image/') || item.artifactKind === 'screenshot';
  if (uri && isImage) {
    const img = document.createElement('img');
    img.src = uri;
    img.alt = `${item.artifactKind || 'artifact'}: ${item.name}`;
    img.loading = 'lazy';
    img.referrerPolicy = 'no-referrer';
    img.className = 'artifact-image';
    el.append(img);
  } else if (uri) {
    const a = h('a', 'artifact-link', item.name);
    a.href = uri;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    el.append(a);
  }
  if (typeof item.content === 'string' || isDetailRef(item.content)) {
    expander(item, el, ctx, 'content', async () => {
      let content = item.content;
      if (isDetailRef(content)) {
        content = (await ctx.detail(item.eventId)).data.content;
      }
      const body = h('div', 'markdown');
      body.innerHTML = renderMarkdown(String(content));
      return [body];
    });
  }
}

function renderSession(item, el) {
  const titles = {
    started: 'Session started',
    progress: 'Progress',
    completed: 'Session completed',
    failed: 'Session failed',
  };
  el.append(header(item, 'session', titles[item.action] || item.action));
  const parts = [item.title, item.model, item.task, item.message].filter(Boolean);
  if (typeof item.percent === 'number') {
    parts.push(`${Math.round(item.percent)}%`);
  }
  if (parts.length) {
    el.append(h('p', item.isError ? 'error-text' : 'result', parts.join(' · ')));
  }
}

function renderLog(item, el) {
  el.append(header(item, `log ${item.level}`, item.message));
}

function jsonBlock(value) {
  const pre = h('pre', 'json');
  pre.tabIndex = 0;
  if (value === undefined || value === null) {
    pre.textContent = '—';
  } else if (typeof value === 'string') {
    pre.textContent = value;
  } else {
    pre.textContent = JSON.stringify(value, null, 2);
  }
  return pre;
}

/** A one-line summary of a tool's arguments: its most telling string values. */
function argumentSummary(input) {
  if (input === undefined || input === null) {
    return '';
  }
  if (isDetailRef(input)) {
    return `(${formatBytes(input.detail.bytes)} of arguments)`;
  }
  if (typeof input !== 'object') {
    return truncate(String(input), 140);
  }
  const preferred = ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description'];
  const values = [];
  for (const key of preferred) {
    if (typeof input[key] === 'string') {
      values.push(input[key]);
    }
  }
  if (!values.length) {
    for (const [key, value] of Object.entries(input)) {
      if (typeof value === 'string' || typeof value === 'number') {
        values.push(`${key}=${value}`);
      }
      if (values.length >= 3) {
        break;
      }
    }
  }
  return truncate(values.join(' '), 140);
}

function safeUri(uri) {
  if (typeof uri !== 'string') {
    return null;
  }
  return /^(https?:|data:image\/(png|jpeg|gif|webp);)/i.test(uri) ? uri : null;
}

function truncate(text, max) {
  const single = text.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

function cssId(key) {
  return key.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function formatTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false });
}

export function formatDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) {
    return '';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 59_950) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  if (m < 60) {
    return `${m} min ${seconds % 60} s`;
  }
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(bytes) {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KiB`;
  }
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
