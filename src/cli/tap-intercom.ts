#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { installLastResort } from './last-resort.js';
import { processIo } from './process-io.js';
import { singerCli } from './singer-cli.js';

installLastResort('singer');
const io = processIo();
await singerCli(io, hideBin(process.argv)).parseAsync();
io.finish();
