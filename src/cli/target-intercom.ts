#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { targetCli } from '../destination/cli.js';
import { processIo } from './process-io.js';

const io = processIo();
await targetCli(io, hideBin(process.argv)).parseAsync();
io.finish();
