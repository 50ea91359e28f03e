'use strict';
/**
 * Fault injection (local/faults/) is for chaos runs of the embedded local cloud only. On
 * `sls offline start` of the embedded stage (`custom.stage.embedded`), this hands the FAULT_* variables of the starting process to every
 * function; no other command or stage ever sees them, so no packaged or deployed function carries them.
 *
 * Why a plugin: serverless-offline gives the handlers only the AWS_* variables of its own process plus the
 * provider's and the function's `environment`, and a variable in provider.environment would be in every
 * stage's template too (with a default value at least).
 */

class OfflineFaults {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    // Before serverless-offline's own `offline:start:init`, which creates the functions with their environment.
    this.hooks = { 'before:offline:start:init': () => this.passFaultVariables() };
  }

  passFaultVariables() {
    const { provider, custom } = this.serverless.service;
    if (custom.stage.embedded !== true) return; // only the local cloud of `npm start` (serverless.yml)
    // Named once, for this plugin and the functions that read them (local/faults/settings.ts); required only
    // here, since packaging a deployed stage works in a copy of the project without local/ (tests/deploy).
    const FAULT_VARIABLES = Object.values(require('../local/faults/variables.json'));
    const given = FAULT_VARIABLES.filter((name) => (process.env[name] ?? '') !== '');
    if (given.length === 0) return;
    provider.environment = {
      ...provider.environment,
      ...Object.fromEntries(given.map((name) => [name, process.env[name]])),
    };
    this.log.notice(`Fault injection: ${given.map((name) => `${name}=${process.env[name]}`).join(' ')}`);
  }
}

module.exports = OfflineFaults;
