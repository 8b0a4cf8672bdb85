// Writes each project's test counts to
// <workspace>/.test-results/<projectRoot>/summary.json so `.ci/run` can print
// one summary line for the whole run. The folder is the test target's Nx
// output, so a run served from Nx's cache restores it too.
const fs = require('node:fs');
const path = require('node:path');

const workspace = path.join(__dirname, '..', '..');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const project = path.relative(workspace, this.rootDir);
    const dir = path.join(workspace, '.test-results', project);
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      project,
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      suitesFailed: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
    };
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
