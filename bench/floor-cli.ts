/**
 * Times the CPU floor of one sub-run in a fresh process (the bench pins it to the connector's CPU):
 *
 *   node dist/bench/floor-cli.js <bodies file> <connector stdout file> <stream> [reps]
 *
 * Decodes the bodies and parses the RECORD lines of <stream> untimed, then prints the FloorTiming
 * of JSON.parse over the bodies and JSON.stringify over those messages as one JSON line.
 */
import { readFileSync } from 'node:fs';
import { recordLines, timeFloor, unframe } from './floor.js';

const [bodiesPath, stdoutPath, stream, repsText] = process.argv.slice(2);
if (!bodiesPath || !stdoutPath || !stream) throw new Error('usage: floor-cli <bodies> <stdout> <stream> [reps]');
const bodies = unframe(readFileSync(bodiesPath)).map((b) => b.toString('utf8'));
const messages = recordLines(readFileSync(stdoutPath, 'utf8'), stream).map((line) => JSON.parse(line) as unknown);
process.stdout.write(JSON.stringify(timeFloor(bodies, messages, Number(repsText ?? 5))) + '\n');
