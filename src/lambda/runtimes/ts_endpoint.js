/*
 * Where handler code written for LocalStack finds tinystack (Node.js).
 *
 * Handlers in the wild reach "LocalStack" as http://localhost:4566,
 * localstack:4566, host.docker.internal:4566, localhost.localstack.cloud and
 * its subdomains (S3 virtual hosts such as bucket.s3.localhost.localstack.cloud),
 * or through AWS_ENDPOINT_URL, which recent @aws-sdk v3 clients read by
 * themselves.  tinystack runs handlers as local processes, often on another
 * port than 4566, so install() leads those names to the address tinystack
 * really listens on, H:P from the private _TS_EDGE.
 *
 * One hook does it: net.Socket.prototype.connect.  Every TCP client in Node
 * (http, https, the AWS SDK's handlers, undici's fetch) ends in it, with the
 * host and port the code asked for; the LocalStack names become H, and port
 * 4566 on them or on the loopback names becomes P.  The Host header, the
 * agent's pool key and TLS's server name stay what the code wrote.  Every
 * other destination connects as before.
 */
'use strict';

const net = require('net');

const EDGE_PORT = 4566;
const NAMES = new Set(['localstack', 'host.docker.internal', 'localhost.localstack.cloud']);
const SUFFIX = '.localhost.localstack.cloud';
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', 'localhost.localdomain']);

let edge = null; // [host, port] tinystack listens on
let keep = null; // "host:port" never rewritten: the Runtime API

function split(address) {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), parseInt(address.slice(i + 1), 10)];
}

/* The [host, port] to connect to instead of (host, port), or null. */
function target(host, port) {
  const name = String(host || 'localhost').toLowerCase().replace(/\.$/, '');
  const num = port === undefined || port === null || port === '' ? NaN : Number(port);
  if (keep !== null && `${name}:${num}` === keep) return null;
  if (NAMES.has(name) || name.endsWith(SUFFIX)) return [edge[0], num === EDGE_PORT ? edge[1] : port];
  if (LOOPBACK.has(name) && num === EDGE_PORT && !(name === edge[0] && num === edge[1])) return edge;
  return null;
}

function install(edgeAddress, runtimeApi) {
  if (!edgeAddress || net.Socket.prototype.connect.tsEdge) return;
  edge = split(edgeAddress);
  if (runtimeApi) {
    const [h, p] = split(runtimeApi);
    keep = `${h.toLowerCase()}:${p}`;
  }
  const connect = net.Socket.prototype.connect;
  function edgeConnect(...args) {
    // The forms net.Socket#connect takes: (options[, cb]), (port[, host][, cb]),
    // (path[, cb]), and the internal [options, cb] array of net.connect().
    let options;
    let cb;
    const a = args[0];
    if (Array.isArray(a)) {
      [options, cb] = a;
    } else if (a !== null && typeof a === 'object') {
      [options, cb] = args;
    } else if (typeof a === 'number' || (typeof a === 'string' && /^\d+$/.test(a))) {
      options = { port: a, host: typeof args[1] === 'string' ? args[1] : undefined };
      cb = typeof args[1] === 'function' ? args[1] : args[2];
    }
    if (!options || options.path) return connect.apply(this, args);
    const t = target(options.host, options.port);
    if (t === null) return connect.apply(this, args);
    const moved = Object.assign({}, options, { host: t[0], port: t[1] });
    return typeof cb === 'function' ? connect.call(this, moved, cb) : connect.call(this, moved);
  }
  edgeConnect.tsEdge = true;
  net.Socket.prototype.connect = edgeConnect;
}

module.exports = { install, target };
