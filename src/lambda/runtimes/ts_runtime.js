/*
 * tinystack's Node.js runtime client: the AWS Lambda Runtime API loop.
 *
 * Run by the daemon as `node <runtime dir>/ts_runtime.js`, it is the
 * execution environment's process.  It speaks AWS's Runtime API over one
 * keep-alive HTTP/1.1 connection (an http.Agent with one socket) to
 * AWS_LAMBDA_RUNTIME_API, and behaves as AWS's Node.js runtime for
 * nodejs20.x does: handler strings "index.handler", "dir/file.handler" and
 * "index.a.b"; .js (CommonJS unless the nearest package.json says
 * "type": "module"), .mjs and .cjs files; async handlers, callback handlers
 * and context.callbackWaitsForEmptyEventLoop; the same Runtime.* errors,
 * error documents and log lines; console patched to AWS's
 * "<time>\t<request id>\t<LEVEL>\t<message>" records.  Records go whole to
 * the log fd named by the private _TS_LOG_FD, each framed as a 4-byte
 * big-endian length, an 8-byte big-endian time in microseconds since the
 * epoch, then the UTF-8 text.
 *
 * With _TS_SPARE=1 the process is a spare started before its function was
 * known: it first reads one JSON line {"env": {...}, "cwd": "..."} from
 * stdin and takes that environment and folder as its own.
 * docs/lambda-runtimes.md is the contract with the daemon.  Node's standard
 * library only.
 */
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const url = require('url');
const util = require('util');
const endpoint = require('./ts_endpoint.js');

const API = '/2018-06-01/runtime';
const MAX_RESPONSE = 6 * 1024 * 1024; // the daemon answers 413 past this
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

/* ---------------------------------------------------------------- errors */

class ExtendedError extends Error {}
const runtimeErrors = {};
for (const name of ['ImportModuleError', 'HandlerNotFound', 'MalformedHandlerName',
  'UserCodeSyntaxError', 'NodeJsExit', 'UnhandledPromiseRejection']) {
  runtimeErrors[name] = class extends ExtendedError {};
  runtimeErrors[name].prototype.name = `Runtime.${name}`;
}
const { ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError,
  NodeJsExit, UnhandledPromiseRejection } = runtimeErrors;

function isErrorLike(e) {
  return e && typeof e.name === 'string' && typeof e.message === 'string' &&
    typeof e.stack === 'string' && e.name && e.message && e.stack;
}

/* The error document AWS posts: errorType, errorMessage, trace. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function intoError(e) {
  return e instanceof Error ? e : new Error(e);
}

/* How AWS logs an error: a tab, then JSON with errorType, errorMessage, code and stack lines. */
function toFormatted(error) {
  const withProps = (_k, v) => {
    if (!(v instanceof Error)) return v;
    const ret = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') ret.stack = v.stack.split('\n');
    return ret;
  };
  try {
    return '\t' + JSON.stringify(error, withProps);
  } catch (_) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

/* ---------------------------------------------------------------- logging */

const LEVELS = {
  TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6,
};

function jsonRecord(requestId, time, level, params) {
  const rec = { timestamp: time, level, requestId };
  const errFields = (e) => ({
    errorType: (e && e.constructor && e.constructor.name) || 'UnknownError',
    errorMessage: e.message,
    stackTrace: typeof e.stack === 'string' ? e.stack.split('\n') : e.stack,
  });
  if (params.length === 1) {
    rec.message = params[0];
    try {
      return JSON.stringify(rec, (_k, v) => (v instanceof Error ? Object.assign(errFields(v), v) : v));
    } catch (_) {
      rec.message = util.format(rec.message);
      return JSON.stringify(rec);
    }
  }
  rec.message = util.format(...params);
  const e = params.find((p) => p instanceof Error);
  if (e) Object.assign(rec, errFields(e), { stackTrace: typeof e.stack === 'string' ? e.stack.split('\n') : [] });
  return JSON.stringify(rec);
}

function writeAll(fd, buf) {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code === 'EAGAIN') continue; // a non-blocking pipe that is full: wait it out
      return; // the daemon stopped reading: nothing to tell
    }
  }
}

/* Replaces console's methods with AWS's records, at AWS_LAMBDA_LOG_LEVEL. */
function patchConsole(logFd) {
  const json = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const format = (level, params) => {
    const time = new Date().toISOString();
    const rid = global[REQUEST_ID];
    return json ? jsonRecord(rid, time, level, params)
      : `${time}\t${rid}\t${level}\t${util.format(...params)}`;
  };
  let write;
  if (logFd !== null) {
    write = (level, params) => {
      const now = Date.now();
      const msg = Buffer.from(format(level, params) + (json ? '' : '\n'), 'utf8');
      const head = Buffer.alloc(12);
      head.writeUInt32BE(msg.length, 0);
      head.writeBigUInt64BE(BigInt(now) * 1000n, 4);
      writeAll(logFd, Buffer.concat([head, msg]));
    };
  } else {
    // Without a log fd, a record's own newlines become CR so that a
    // line-reading collector keeps it as one event.
    write = (level, params) => {
      writeAll(2, Buffer.from(format(level, params).replace(/\n/g, '\r') + '\n', 'utf8'));
    };
  }
  const floor = LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE;
  const method = (level) => (LEVELS[level] >= floor
    ? (msg, ...params) => write(level, [msg, ...params]) : () => {});
  console.trace = method('TRACE');
  console.debug = method('DEBUG');
  console.info = method('INFO');
  console.log = console.info;
  console.warn = method('WARN');
  console.error = method('ERROR');
  console.fatal = (msg, ...params) => write('FATAL', [msg, ...params]);
  return json
    ? (_title, err) => console.error(intoError(err))
    : (title, err) => console.error(title, toFormatted(intoError(err)));
}

/* ---------------------------------------------------------------- Runtime API */

function die(why) {
  writeAll(2, Buffer.from(`ts_runtime: ${why}\n`));
  process.exit(1);
}

class RuntimeAPI {
  constructor(address) {
    const i = address.lastIndexOf(':');
    this.host = address.slice(0, i).replace(/^\[|\]$/g, '');
    this.port = parseInt(address.slice(i + 1), 10);
    if (!this.host || !this.port) die(`AWS_LAMBDA_RUNTIME_API is not host:port: ${address}`);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /* Resolves to {status, headers, body}; a dropped connection is tried once more. */
  request(method, p, body, headers, retry = true) {
    return new Promise((resolve) => {
      let failed = false;
      const fail = (e) => {
        if (failed) return;
        failed = true;
        if (body !== undefined && body.length > MAX_RESPONSE) {
          // A body past the limit may have been cut off by the 413: the
          // daemon has answered the caller already.
          resolve({ status: 413, headers: {}, body: Buffer.alloc(0) });
        } else if (retry) {
          resolve(this.request(method, p, body, headers, false));
        } else {
          die(`Runtime API ${this.host}:${this.port} unreachable: ${e.message}`);
        }
      };
      const req = http.request({
        host: this.host, port: this.port, path: API + p, method, agent: this.agent,
        headers: Object.assign(body !== undefined ? { 'Content-Length': body.length } : {}, headers),
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (!failed) resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', fail);
      });
      req.on('socket', (s) => s.setNoDelay(true));
      req.on('error', fail);
      req.end(body);
    });
  }

  async next() {
    const r = await this.request('GET', '/invocation/next');
    if (r.status !== 200) die(`GET /invocation/next answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
    return r;
  }

  async post(p, doc, headers) {
    const r = await this.request('POST', p, doc, Object.assign({ 'Content-Type': 'application/json' }, headers));
    if (r.status !== 202 && r.status !== 200 && r.status !== 413) {
      writeAll(2, Buffer.from(`ts_runtime: POST ${p} answered ${r.status}: ${r.body.toString().slice(0, 200)}\n`));
    }
  }

  postResponse(id, body) {
    return this.post(`/invocation/${encodeURIComponent(id)}/response`, body);
  }

  postError(id, error) {
    const doc = toRapidResponse(error);
    return this.post(`/invocation/${encodeURIComponent(id)}/error`, Buffer.from(JSON.stringify(doc)),
      { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
  }

  postInitError(error) {
    const doc = toRapidResponse(error);
    return this.post('/init/error', Buffer.from(JSON.stringify(doc)),
      { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
  }
}

/* ---------------------------------------------------------------- handler */

function hasTypeModule(folder) {
  // The nearest package.json decides; a node_modules folder or the root ends the search.
  for (;;) {
    if (folder.endsWith('/node_modules')) return false;
    const pj = path.join(folder, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(pj));
        if (pkg) return pkg.type === 'module';
      } catch (e) {
        console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
        return false;
      }
    }
    if (folder === '/') return false;
    folder = path.resolve(folder, '..');
  }
}

function requireIfExists(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function importIfExists(file) {
  return fs.existsSync(file) ? import(url.pathToFileURL(file).href) : undefined;
}

/* Loads the module as AWS's runtime does: the file under the task root
 * first (extensionless, .js, .mjs, .cjs), then Node's own resolution. */
async function loadModule(appRoot, moduleRoot, name) {
  const file = path.resolve(appRoot, moduleRoot, name);
  const extensionless = requireIfExists(file);
  if (extensionless) return extensionless;
  const esm = hasTypeModule(path.dirname(file));
  if (!esm) {
    const cjs = requireIfExists(file + '.js');
    if (cjs) return cjs;
  }
  const loaded = (esm && await importIfExists(file + '.js')) ||
    await importIfExists(file + '.mjs') ||
    requireIfExists(file + '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, full) {
  if (full.includes('..')) {
    throw new MalformedHandlerName(`'${full}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = path.basename(full);
  const moduleRoot = full.substring(0, full.indexOf(base));
  const m = base.match(/^([^.]*)\.(.*)$/);
  if (!m) throw new MalformedHandlerName('Bad handler');
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, m[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
  const fn = m[2].split('.').reduce((o, k) => o && o[k], app);
  if (!fn) throw new HandlerNotFound(`${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${full} is not a function`);
  return fn;
}

/* ---------------------------------------------------------------- streaming */

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/* AWS's awslambda global.  The daemon has no streaming Runtime API, so a
 * streaming handler's writes are gathered and posted as one response when
 * the stream ends; HttpResponseStream's status and headers are dropped. */
function installAwslambdaGlobal() {
  if (['1', 'true'].includes(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA)) return;
  globalThis.awslambda = {
    streamifyResponse: (handler) => {
      handler[STREAMING] = 'response';
      return handler;
    },
    HttpResponseStream: { from: (stream) => stream },
  };
}

/* A Writable that keeps what is written; done resolves with it at end(). */
function bufferStream() {
  const { Writable } = require('stream');
  const chunks = [];
  let finish;
  const done = new Promise((r) => { finish = r; });
  const stream = new Writable({
    write(chunk, _enc, cb) { chunks.push(Buffer.from(chunk)); cb(); },
    final(cb) { cb(); finish(Buffer.concat(chunks)); },
  });
  stream.setContentType = () => {};
  return { stream, done };
}

/* ---------------------------------------------------------------- invoke loop */

let beforeExit = () => {};
const errorCallbacks = {};

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new Error(`Cannot parse ${name} as json: ${e.toString()}`);
  }
}

class Runtime {
  constructor(api, handler, logError) {
    this.api = api;
    this.handler = handler;
    this.logError = logError;
    this.isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  }

  scheduleNext() {
    setImmediate(() => {
      this.handleOnce().catch((e) => {
        console.log(`Unexpected Top Level Error: ${e.toString()}`);
        errorCallbacks.uncaughtException(e);
      });
    });
  }

  /* The callback, the context's succeed/fail/done, and a way to mark the
   * invocation answered; only the first of them to be called counts. */
  callbackContext(id) {
    const next = () => this.scheduleNext();
    let completed = false;
    let waitForEmptyEventLoop = true;
    const postError = (err, then) => {
      this.logError('Invoke Error', err);
      this.api.postError(id, err).then(then);
    };
    const complete = (result, then) => {
      if (completed) {
        console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
        return;
      }
      completed = true;
      let body;
      try {
        body = Buffer.from(JSON.stringify(result === undefined ? null : result));
      } catch (_) {
        postError(new Error('Unable to stringify response body'), then);
        return;
      }
      this.api.postResponse(id, body).then(then);
    };
    const done = (err, result) => {
      beforeExit = () => {};
      if (err !== undefined && err !== null) postError(err, next);
      else complete(result, next);
    };
    const callback = (err, result) => {
      beforeExit = () => {};
      if (err !== undefined && err !== null) postError(err, next);
      else if (!waitForEmptyEventLoop) complete(result, next);
      else beforeExit = () => setImmediate(() => complete(result, next));
    };
    let finished = false;
    const once = (f) => (...args) => {
      if (!finished) {
        f(...args);
        finished = true;
      }
    };
    const ctx = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyEventLoop; },
      set callbackWaitsForEmptyEventLoop(v) { waitForEmptyEventLoop = v; },
      succeed: once((result) => done(null, result)),
      fail: once((err) => (err === undefined || err === null ? done('handled') : done(err, null))),
      done: once(done),
    };
    return [once(callback), ctx, () => { completed = true; }];
  }

  async handleOnce() {
    const { headers, body } = await this.api.next();
    const id = headers['lambda-runtime-aws-request-id'];
    global[REQUEST_ID] = id;
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    const [callback, ctx, markCompleted] = this.callbackContext(id);
    try {
      errorCallbacks.uncaughtException = (e) => this.api.postError(id, e).then(() => process.exit(129));
      errorCallbacks.unhandledRejection = (e) => this.api.postError(id, e).then(() => process.exit(128));
      beforeExit = () => {
        markCompleted();
        if (this.isAsync) {
          // The promise can no longer settle: nothing is left to run.
          const e = new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes');
          this.logError('Invoke Error', e);
          this.api.postError(id, e).then(() => this.scheduleNext());
        } else {
          this.api.postResponse(id, Buffer.from('null')).then(() => this.scheduleNext());
        }
      };
      const deadline = Number(headers['lambda-runtime-deadline-ms']);
      Object.assign(ctx, {
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
        identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
        invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
        awsRequestId: id,
        tenantId: headers['lambda-runtime-aws-tenant-id'],
        getRemainingTimeInMillis: () => deadline - Date.now(),
      });
      const event = JSON.parse(body.toString('utf8'));
      if (this.handler[STREAMING] === 'response') {
        const { stream, done } = bufferStream();
        beforeExit = () => {};
        Promise.resolve(this.handler(event, stream, ctx)).then(() => {
          if (!stream.writableFinished) stream.end();
          return done;
        }).then((out) => {
          markCompleted();
          return this.api.postResponse(id, out);
        }, (e) => {
          markCompleted();
          this.logError('Invoke Error', e);
          return this.api.postError(id, e);
        }).then(() => this.scheduleNext());
        return;
      }
      const result = this.handler(event, ctx, callback);
      if (result && typeof result.then === 'function') {
        result.then(ctx.succeed, ctx.fail).catch(ctx.fail);
      }
    } catch (e) {
      callback(e);
    }
  }
}

/* ---------------------------------------------------------------- start */

/* A spare takes its function's environment and folder from one stdin line. */
function becomeSpare() {
  const chunks = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      die(`spare: cannot read stdin: ${e.message}`);
    }
    if (n === 0) die('spare: stdin closed before the environment arrived');
    const nl = buf.subarray(0, n).indexOf(10);
    chunks.push(Buffer.from(buf.subarray(0, nl < 0 ? n : nl)));
    if (nl >= 0) break;
  }
  let doc;
  try {
    doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    die(`spare: bad environment line: ${e.message}`);
  }
  for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, doc.env || {});
  delete process.env._TS_SPARE;
  if (doc.cwd) process.chdir(doc.cwd);
  const Module = require('module');
  if (typeof Module._initPaths === 'function') Module._initPaths(); // NODE_PATH is the function's now
}

function takeEnv(name) {
  const v = process.env[name];
  delete process.env[name];
  return v === undefined ? null : v;
}

async function main() {
  if (process.env._TS_SPARE === '1') becomeSpare();
  const edge = takeEnv('_TS_EDGE');
  const logFd = takeEnv('_TS_LOG_FD');
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!address) die('AWS_LAMBDA_RUNTIME_API is not set');
  endpoint.install(edge, address);
  let fd = logFd === null ? null : parseInt(logFd, 10);
  if (fd !== null && (Number.isNaN(fd) || !(() => { try { fs.fstatSync(fd); return true; } catch (_) { return false; } })())) fd = null;
  const logError = patchConsole(fd);
  const api = new RuntimeAPI(address);

  errorCallbacks.uncaughtException = (e) => api.postInitError(e).then(() => process.exit(129));
  errorCallbacks.unhandledRejection = (e) => api.postInitError(e).then(() => process.exit(128));
  process.on('uncaughtException', (e) => {
    logError('Uncaught Exception', e);
    errorCallbacks.uncaughtException(e);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const e = new UnhandledPromiseRejection(reason);
    e.reason = reason;
    e.promise = promise;
    logError('Unhandled Promise Rejection', e);
    errorCallbacks.unhandledRejection(e);
  });
  process.on('beforeExit', () => beforeExit());

  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  installAwslambdaGlobal();
  let handler;
  try {
    handler = await loadHandler(appRoot, process.env._HANDLER || '');
  } catch (e) {
    // On AWS a failed load surfaces as the bootstrap's uncaught exception.
    logError('Uncaught Exception', e);
    errorCallbacks.uncaughtException(e);
    return;
  }
  new Runtime(api, handler, logError).scheduleNext();
}

main();
