#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { airbyteCli } from './airbyte-cli.js';
import { installLastResort } from './last-resort.js';
import { processIo } from './process-io.js';

installLastResort('airbyte');
const io = processIo();
await airbyteCli(io, hideBin(process.argv)).parseAsync();
io.finish();
