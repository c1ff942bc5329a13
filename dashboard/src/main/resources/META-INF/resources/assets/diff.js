// A unified diff as coloured lines with old/new line numbers. Built with textContent only: a diff
// is file content written by the agent and is never parsed as HTML.

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** Counts of added and removed lines in a unified diff (hunk lines only). */
export function countChanges(text) {
  let added = 0;
  let removed = 0;
  let inHunk = false;
  for (const line of (text || '').split('\n')) {
    if (line.startsWith('@@')) {
      inHunk = true;
    } else if (inHunk && line.startsWith('+')) {
      added++;
    } else if (inHunk && line.startsWith('-')) {
      removed++;
    }
  }
  return { added, removed };
}

/** A `<pre>` showing `text`; `label` names it for screen readers. */
export function renderDiff(text, label) {
  const pre = document.createElement('pre');
  pre.className = 'diff';
  pre.tabIndex = 0;
  pre.setAttribute('aria-label', label);
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  const lines = (text || '').replace(/\n$/, '').split('\n');
  const fragment = document.createDocumentFragment();
  for (const line of lines) {
    const row = document.createElement('span');
    const gutter = document.createElement('span');
    gutter.className = 'ln';
    gutter.setAttribute('aria-hidden', 'true');
    const body = document.createElement('span');
    body.className = 'tx';
    body.textContent = line;
    const hunk = HUNK.exec(line);
    if (hunk) {
      inHunk = true;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      row.className = 'hunk';
    } else if (!inHunk || line.startsWith('\\')) {
      row.className = line.startsWith('…') ? 'more' : 'meta';
    } else if (line.startsWith('+')) {
      row.className = 'add';
      gutter.textContent = `${''.padStart(5)} ${String(newLine++).padStart(5)}`;
    } else if (line.startsWith('-')) {
      row.className = 'del';
      gutter.textContent = `${String(oldLine++).padStart(5)} ${''.padStart(5)}`;
    } else if (line.startsWith('…')) {
      row.className = 'more';
    } else {
      row.className = 'ctx';
      gutter.textContent = `${String(oldLine++).padStart(5)} ${String(newLine++).padStart(5)}`;
    }
    row.append(gutter, body, '\n');
    fragment.append(row);
  }
  pre.append(fragment);
  return pre;
}
