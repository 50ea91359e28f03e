'use strict';
/**
 * What the local cloud's plugins reach inside serverless-offline (offline-gateway.js, offline-invoke.js,
 * offline-pool.js): its modules as it resolves them, and the moment before it creates its servers.
 */
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');

const entry = () => require.resolve('serverless-offline');

/** A require() as serverless-offline's own: its dependencies (hapi, boom) as it resolves them. */
const offlineRequire = () => createRequire(entry());

/**
 * One of serverless-offline's own source files, by its path under src/ (`'lambda', 'Lambda.js'`): for its ES
 * modules through require(esm), so the instance serverless-offline imported.
 */
const offlineModule = (...path) => offlineRequire()(join(dirname(entry()), ...path));

/** The prototype of serverless-offline's hapi servers, whose `start` and `stop` the plugins wrap. */
const hapiServerPrototype = () => Object.getPrototypeOf(offlineRequire()('@hapi/hapi').server({ autoListen: false }));

/**
 * The hooks that run `install` once, before serverless-offline's own hooks of `sls offline start` (and of
 * plain `sls offline`) create its servers.
 */
function beforeOfflineStarts(install) {
  let installed = false;
  const once = () => {
    if (installed) return;
    installed = true;
    install();
  };
  return { 'before:offline:start:init': once, 'before:offline:start': once };
}

module.exports = { offlineRequire, offlineModule, hapiServerPrototype, beforeOfflineStarts };
