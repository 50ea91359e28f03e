'use strict';
/**
 * The `offline` stage is the embedded local cloud (`npm start`, `sls invoke local`), and it is also the
 * default stage, so that those commands need no flag. It must never reach AWS: its cookies have no
 * `Secure` (its API is plain http://localhost), its bundles contain fault injection, its dev API is open.
 * A `sls deploy` (or `sls deploy function`) without `--stage` would deploy exactly that, so it is refused
 * before anything is packaged. Every other command (`sls offline start`, `sls invoke local`, `sls package`,
 * `sls print`) works on it as before.
 */
const DEPLOY_COMMAND = 'deploy';

class OfflineStageNeverDeployed {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    const refuse = () => this.refuseDeploy();
    // `initialize` runs before any command's own lifecycle; the deploy hooks are there in case it did not.
    this.hooks = {
      initialize: refuse,
      'before:deploy:deploy': refuse,
      'before:deploy:function:initialize': refuse,
    };
  }

  refuseDeploy() {
    const [command, subcommand] = this.serverless.processedInput?.commands ?? [];
    if (command !== DEPLOY_COMMAND || subcommand === 'list') return;
    // serverless.yml's custom.stage.embedded: what makes a stage the local cloud, not its name.
    if (this.serverless.service.custom.stage.embedded !== true) return;
    throw new this.serverless.classes.Error(
      `The "${this.serverless.service.provider.stage}" stage is the local cloud of \`npm start\` (no Secure cookies, fault injection bundled, ` +
        `an open dev API) and is never deployed. Name the stage: \`sls deploy --stage dev\`, ` +
        '`--stage prod`, or `--stage local` for LocalStack.',
      'OFFLINE_STAGE_NOT_DEPLOYABLE',
    );
  }
}

module.exports = OfflineStageNeverDeployed;
