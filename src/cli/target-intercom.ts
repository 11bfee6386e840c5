#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { targetCli } from './target-cli.js';
import { installLastResort } from './last-resort.js';
import { processIo } from './process-io.js';

installLastResort('singer');
const io = processIo();
await targetCli(io, hideBin(process.argv)).parseAsync();
io.finish();
