'use strict';
/**
 * Fault injection (lib/common/faults.ts) is for chaos runs of the embedded local cloud only. On
 * `sls offline start` at stage `offline`, this hands the FAULT_* variables of the starting process to every
 * function; no other command or stage ever sees them, so no packaged or deployed function carries them.
 *
 * Why a plugin: serverless-offline gives the handlers only the AWS_* variables of its own process plus the
 * provider's and the function's `environment`, and a variable in provider.environment would be in every
 * stage's template too (with a default value at least).
 */
const FAULT_VARIABLES = ['FAULT_RATE', 'FAULT_KINDS', 'FAULT_FUNCTIONS'];

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
