// One playground call: the request built from an operation and what the user typed, sent
// with fetch (the answer's status, time, headers and body; a stream only read for its first
// part), and the same request as a curl command line. No DOM.

const STREAM_READ_MS = 3000;           // how long a text/event-stream is followed
const STREAM_READ_BYTES = 16 * 1024;   // or how much of it, whichever comes first
const SHOWN_BYTES = 512 * 1024;        // longer bodies are cut for display (the whole spec, pretty-printed, fits)

export const isJson = (type) => /^application\/([\w.+-]*\+)?json\b/i.test(type);

// Checks what the user typed; the request, or { problems: [{ field, message }] }.
// values: { "<in>:<name>": string }; bodyText: the textarea; contentType: the chosen one.
export function buildRequest(op, values, bodyText, contentType, { origin, key }) {
  const problems = [];
  let path = op.path;
  const query = [];
  const headers = [];
  for (const p of op.params) {
    const value = (values[`${p.in}:${p.name}`] ?? '').trim();
    if (value === '') {
      if (p.required) problems.push({ field: `${p.in}:${p.name}`, message: `${p.name} (${p.in}) is required.` });
      continue;  // an empty optional parameter is not sent at all
    }
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(value));
    else if (p.in === 'query') query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(value)}`);  // %20, not +
    else if (p.in === 'header') headers.push([p.name, value]);
  }
  if (!op.public) headers.unshift(['Authorization', `Bearer ${key}`]);

  let body;
  if (op.body) {
    const text = bodyText.trim();
    if (text === '') {
      if (op.body.required) problems.push({ field: 'body', message: 'This operation needs a request body.' });
    } else if (isJson(contentType)) {
      try {
        // Sent (and put in the curl line) compact: the same bytes both ways, on one line.
        body = JSON.stringify(JSON.parse(text));
      } catch (e) {
        problems.push({ field: 'body', message: `The body is not valid JSON: ${e.message}` });
      }
    } else {
      body = bodyText;
    }
    if (body !== undefined) headers.push(['Content-Type', contentType]);
  }
  if (problems.length) return { problems };
  const qs = query.join('&');
  return { method: op.method, url: `${origin}${path}${qs ? `?${qs}` : ''}`, headers, body, streams: op.streams };
}

// POSIX shell quoting: inside '…' nothing is special but the quote itself, written '\''.
export const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// The request as a curl command line. The key stays in $STEWARD_KEY (double quotes, so that
// the shell expands it) unless the user asks for the real one, which then is in the line.
export function curlLine(req, { includeKey = false } = {}) {
  const parts = ['curl -i'];
  if (req.streams) parts[0] += ' -N';  // print the stream's events as they come
  if (req.method !== 'GET' || req.body !== undefined) parts[0] += ` -X ${req.method}`;
  parts[0] += ` ${shellQuote(req.url)}`;
  for (const [name, value] of req.headers) {
    if (name === 'Authorization' && !includeKey) parts.push('-H "Authorization: Bearer $STEWARD_KEY"');
    else parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  if (req.body !== undefined) parts.push(`--data-raw ${shellQuote(req.body)}`);
  return parts.join(' \\\n  ');
}

// Reads a text/event-stream for a few seconds at most, then lets go of it: the run stream
// only ends with the run, and the page must not hang on it.
async function firstPart(res, controller) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const deadline = Date.now() + STREAM_READ_MS;
  while (text.length < STREAM_READ_BYTES) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let timer;
    const chunk = await Promise.race([
      reader.read(),
      new Promise((r) => { timer = setTimeout(() => r({ timeout: true }), left); }),
    ]);
    clearTimeout(timer);
    if (chunk.timeout) break;
    if (chunk.done) { ended = true; break; }
    text += decoder.decode(chunk.value, { stream: true });
  }
  if (!ended) {
    await reader.cancel().catch(() => {});
    controller.abort();
  }
  return { text, ended };
}

// Sends the request; resolves with what came back. Throws on a network failure or when
// `controller` is aborted by the user (AbortError).
export async function send(req, controller) {
  const started = performance.now();
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: controller.signal,
    cache: 'no-store',      // what the daemon answered, not the browser's cache
    credentials: 'omit',    // only the key typed in here; the API uses no cookies anyway
  });
  const headers = [...res.headers.entries()];
  const type = res.headers.get('content-type') || '';
  const out = { status: res.status, statusText: res.statusText, headers, type, ms: 0, text: '', json: undefined,
                stream: null };
  if (type.startsWith('text/event-stream')) {
    out.ms = performance.now() - started;  // time to the answer's head: the stream goes on
    out.stream = await firstPart(res, controller);
    out.text = out.stream.text;
  } else {
    out.text = await res.text();
    out.ms = performance.now() - started;
    if (isJson(type) && out.text !== '') {
      try { out.json = JSON.parse(out.text); } catch { /* shown as text */ }
    }
  }
  return out;
}

// The body as shown: JSON pretty-printed, anything else as it came; very long ones cut.
export function shownBody(out) {
  const text = out.json !== undefined ? JSON.stringify(out.json, null, 2) : out.text;
  return text.length > SHOWN_BYTES ? { text: text.slice(0, SHOWN_BYTES), cut: true } : { text, cut: false };
}
