'use strict';
/**
 * Prints each function's bundle when the service is packaged (`sls package`, `sls deploy`): the zip and
 * what it unpacks to, and fails the packaging when a zip is over the budget. A plugin rather than a
 * script, so that every way of packaging shows it, and after serverless-esbuild (listed before it in
 * `plugins`) has zipped the bundles.
 */
const { statSync } = require('node:fs');
const { isAbsolute, join } = require('node:path');
const yauzl = require('yauzl');

const BUDGET_BYTES = 1024 * 1024;

/** The entries of a zip file, names and unpacked sizes, from its central directory. */
async function zipEntries(path) {
  const zip = await yauzl.openPromise(path);
  const entries = [];
  for await (const entry of zip.eachEntry()) entries.push({ name: entry.fileName, size: entry.uncompressedSize });
  return entries;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0).padStart(5)} KiB`;

class BundleSizes {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = { 'after:package:createDeploymentArtifacts': () => this.report() };
  }

  async report() {
    const { service, config } = this.serverless;
    const rows = [];
    for (const name of service.getAllFunctions()) {
      const artifact = service.getFunction(name).package?.artifact;
      if (!artifact) continue;
      const path = isAbsolute(artifact) ? artifact : join(config.servicePath, artifact);
      const unpacked = (await zipEntries(path)).reduce((sum, entry) => sum + entry.size, 0);
      rows.push({ name, zip: statSync(path).size, unpacked });
    }
    if (rows.length === 0) return;
    const width = Math.max(...rows.map((row) => row.name.length));
    this.log.notice('Bundle sizes (zip, unpacked):');
    for (const row of rows.sort((a, b) => b.zip - a.zip)) {
      this.log.notice(`  ${row.name.padEnd(width)} ${kib(row.zip)} ${kib(row.unpacked)}`);
    }
    const over = rows.filter((row) => row.zip > BUDGET_BYTES).map((row) => row.name);
    if (over.length > 0) {
      throw new this.serverless.classes.Error(`Bundles over ${kib(BUDGET_BYTES).trim()}: ${over.join(', ')}`);
    }
  }
}

module.exports = BundleSizes;
module.exports.zipEntries = zipEntries;
module.exports.BUDGET_BYTES = BUDGET_BYTES;
