'use strict';
/**
 * Prints each function's bundle when the service is packaged (`sls package`, `sls deploy`): the zip and
 * what it unpacks to, and fails the packaging when a zip is over the budget. A plugin rather than a
 * script, so that every way of packaging shows it, and after serverless-esbuild (listed before it in
 * `plugins`) has zipped the bundles.
 */
const { readFileSync, statSync } = require('node:fs');
const { isAbsolute, join } = require('node:path');

const BUDGET_BYTES = 1024 * 1024;

/** The entries of a zip, from its central directory: no zip library needed to read names and sizes. */
function zipEntries(buffer) {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip file');
  const count = buffer.readUInt16LE(end + 10);
  let offset = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    const nameLength = buffer.readUInt16LE(offset + 28);
    entries.push({
      name: buffer.toString('utf8', offset + 46, offset + 46 + nameLength),
      size: buffer.readUInt32LE(offset + 24),
    });
    offset += 46 + nameLength + buffer.readUInt16LE(offset + 30) + buffer.readUInt16LE(offset + 32);
  }
  return entries;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(0).padStart(5)} KiB`;

class BundleSizes {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = { 'after:package:createDeploymentArtifacts': () => this.report() };
  }

  report() {
    const { service, config } = this.serverless;
    const rows = service.getAllFunctions().flatMap((name) => {
      const artifact = service.getFunction(name).package?.artifact;
      if (!artifact) return [];
      const path = isAbsolute(artifact) ? artifact : join(config.servicePath, artifact);
      const unpacked = zipEntries(readFileSync(path)).reduce((sum, entry) => sum + entry.size, 0);
      return [{ name, zip: statSync(path).size, unpacked }];
    });
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
