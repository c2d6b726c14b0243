// Mocha's spec reporter, plus a machine-readable summary: CI reads the counts from a file instead
// of scraping mocha's prose, so a run that executed no test cannot pass unnoticed.
//
// When TEST_SUMMARY_FILE is set, the counts of this run are written there as JSON
// ({ passed, failed, pending, files }). Pending (skipped) tests are reported separately and never
// counted as passed.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const summary = { passed: stats.passes, failed: stats.failures, pending: stats.pending };
      const file = process.env.TEST_SUMMARY_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(summary) + '\n');
    });
  }
}

module.exports = SummaryReporter;
