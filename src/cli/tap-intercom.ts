#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { singerCli } from './singer-cli.js';

await singerCli(
  { stdout: process.stdout, stderr: process.stderr, env: process.env, setExitCode: (code) => (process.exitCode = code) },
  hideBin(process.argv),
).parseAsync();
