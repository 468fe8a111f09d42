// No test may reach the internet: point the Hub at a closed local port unless a test sets its own
// endpoint (the local Hub server). Child processes (dist/cli.js, dist/index.js) inherit this.
process.env.HF_ENDPOINT ??= 'http://127.0.0.1:9';
