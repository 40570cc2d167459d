import { describe, expect, it } from 'vitest';
import { ExeScriptParseError, isExeScriptParseError } from '../../src/exeunit/ExeScriptParseError.js';
import { parseExeScript, validateExeScript } from '../../src/exeunit/exescript.js';

function parseError(text: string): ExeScriptParseError {
  try {
    parseExeScript(text);
  } catch (err) {
    if (isExeScriptParseError(err)) return err;
    throw err;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseExeScript', () => {
  it('accepts the commands golem-js sends', () => {
    const text = JSON.stringify([
      { deploy: {} },
      { start: {} },
      {
        run: {
          entry_point: '/bin/sh',
          args: ['-c', 'echo hi'],
          capture: { stdout: { atEnd: { format: 'string' } }, stderr: { atEnd: { format: 'string' } } },
        },
      },
      { transfer: { from: 'http://host/f', to: 'container:/golem/input/f' } },
      { sign: {} },
      { terminate: {} },
    ]);
    const commands = parseExeScript(text);
    expect(commands).toHaveLength(6);
    expect(commands[2]).toEqual(JSON.parse(text)[2]);
  });

  it('accepts every optional field of the spec, and unknown fields inside bodies', () => {
    const commands = parseExeScript(
      JSON.stringify([
        {
          deploy: {
            net: [
              {
                id: 'n',
                ip: '10.0.0.2',
                mask: '255.255.255.0',
                nodeIp: '10.0.0.2',
                nodes: { '10.0.0.1': '0x1' },
              },
            ],
            hosts: { master: '10.0.0.1' },
            hostname: 'h',
            env: { K: 'V' },
            volumes: ['/golem/input'],
            progress: { updateInterval: '300ms', updateStep: null },
            somethingNew: 1,
          },
        },
        { start: { args: [] } },
        {
          run: {
            entry_point: 'x',
            capture: {
              stdout: { stream: { limit: 10, format: 'bin' } },
              stderr: { atEnd: { part: { headTail: 8 } } },
            },
          },
        },
        {
          transfer: {
            from: 'a',
            to: 'b',
            format: 'zip',
            depth: 2,
            fileset: [{ desc: 'd', includes: ['*.jpg'], excludes: [] }],
          },
        },
        { deploy: { volumes: { '/golem/work': { storage: { size: '10g' } } } } },
      ]),
    );
    expect(commands).toHaveLength(5);
  });

  it.each([
    ['not json', '', undefined, /not valid JSON/],
    [`${'['.repeat(200)}${']'.repeat(200)}`, '', undefined, /not valid JSON: recursion limit exceeded/],
    ['{"deploy":{}}', '', undefined, /must be a JSON array/],
    ['[]', '', undefined, /at least one command/],
    ['[{"launch":{}}]', '[0]', 0, /unknown command 'launch'/],
    ['[{"deploy":{},"start":{}}]', '[0]', 0, /exactly one key/],
    ['[{"deploy":{}},"start"]', '[1]', 1, /must be an object/],
    ['[{"run":{"args":[]}}]', '[0].run.entry_point', 0, /'entry_point' is required/],
    ['[{"run":{"entry_point":1}}]', '[0].run.entry_point', 0, /must be a string/],
    ['[{"run":{"entry_point":"x","args":[1]}}]', '[0].run.args[0]', 0, /must be a string/],
    [
      '[{"run":{"entry_point":"x","capture":{"stdout":{"later":{}}}}}]',
      '[0].run.capture.stdout',
      0,
      /atEnd' or 'stream/,
    ],
    [
      '[{"run":{"entry_point":"x","capture":{"stdout":{"atEnd":{"format":"hex"}}}}}]',
      '[0].run.capture.stdout.atEnd.format',
      0,
      /format/,
    ],
    [
      '[{"run":{"entry_point":"x","capture":{"stdout":{"atEnd":{"part":{"head":-1}}}}}}]',
      '[0].run.capture.stdout.atEnd.part.head',
      0,
      /non-negative/,
    ],
    [
      '[{"run":{"entry_point":"x","capture":{"stdout":{"stream":{"limit":1.5}}}}}]',
      '[0].run.capture.stdout.stream.limit',
      0,
      /non-negative integer/,
    ],
    ['[{"transfer":{"from":"a"}}]', '[0].transfer.to', 0, /'to' is required/],
    ['[{"deploy":{"env":{"K":1}}}]', '[0].deploy.env.K', 0, /must be a string/],
    ['[{"deploy":{"net":[{"id":"n"}]}}]', '[0].deploy.net[0].ip', 0, /must be a string/],
  ])('rejects %s at %j', (text, path, index, message) => {
    const err = parseError(text);
    expect(err).toBeInstanceOf(ExeScriptParseError);
    expect(err.path).toBe(path);
    expect(err.commandIndex).toBe(index);
    expect(err.message).toMatch(message);
  });

  it('validates an already decoded value the same way', () => {
    expect(validateExeScript([{ sign: null }])).toEqual([{ sign: {} }]);
    expect(() => validateExeScript('[]')).toThrow(ExeScriptParseError);
  });
});
