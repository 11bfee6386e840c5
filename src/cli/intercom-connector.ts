#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { airbyteCli } from './airbyte-cli.js';

await airbyteCli(
  { stdout: process.stdout, stderr: process.stderr, env: process.env, setExitCode: (code) => (process.exitCode = code) },
  hideBin(process.argv),
).parseAsync();
