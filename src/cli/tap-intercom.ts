#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { processIo } from './process-io.js';
import { singerCli } from './singer-cli.js';

const io = processIo();
await singerCli(io, hideBin(process.argv)).parseAsync();
io.finish();
