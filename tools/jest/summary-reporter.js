// Writes each project's test counts to <workspace>/.test-results/<project>.json
// so `.ci/run` can print one summary line for the whole run.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', '..', '.test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path
      .relative(path.join(__dirname, '..', '..'), this.rootDir)
      .replace(/[\\/]/g, '__');
    const summary = {
      project: name,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      suitesFailed: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
