import { createHash } from 'node:crypto';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { golemFs, settle, sh } from './helpers.js';

describe('shell: echo and printf', () => {
  it('echo joins its arguments, -n drops the newline, -e interprets escapes', async () => {
    expect((await sh('echo hello   world')).stdout).toBe('hello world\n');
    expect((await sh('echo -n a b')).stdout).toBe('a b');
    expect((await sh("echo -e 'a\\tb\\nc'")).stdout).toBe('a\tb\nc\n');
    expect((await sh("echo 'a\\tb'")).stdout).toBe('a\\tb\n');
    expect((await sh('echo')).stdout).toBe('\n');
  });

  it('printf formats %s %d with escapes, widths, and reuses the format for extra arguments', async () => {
    expect((await sh("printf '%s=%d\\n' a 1 b 2")).stdout).toBe('a=1\nb=2\n');
    expect((await sh("printf '[%5s|%-3s|%03d|%.2f|%x|%%]\\n' ab c 7 3.14159 255")).stdout).toBe(
      '[   ab|c  |007|3.14|ff|%]\n',
    );
    expect((await sh('printf hello')).stdout).toBe('hello');
    const bad = await sh("printf '%d' abc");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('invalid number');
  });
});

describe('shell: quoting and expansion', () => {
  it('keeps single quotes literal and expands in double quotes', async () => {
    const r = await sh(`X=world; echo 'hello $X' "hello $X" hello\\ $X`, {});
    expect(r.stdout).toBe('hello $X hello world hello world\n');
  });

  it('expands $VAR, ${VAR}, defaults, lengths, $? and positional parameters', async () => {
    const r = await sh(
      'A=abc; echo ${A}x ${#A} ${B:-dflt} ${B:=set} $B ${A:+alt}; false; echo $?; true; echo $?',
    );
    expect(r.stdout).toBe('abcx 3 dflt set set alt\n1\n0\n');
  });

  it('splits unquoted expansions into fields but not quoted ones', async () => {
    const r = await sh('L="a  b c"; for w in $L; do echo "<$w>"; done; for w in "$L"; do echo "<$w>"; done');
    expect(r.stdout).toBe('<a>\n<b>\n<c>\n<a  b c>\n');
  });

  it('runs command substitution and arithmetic', async () => {
    const r = await sh(
      'echo "[$(echo hi; echo there)]" $((1 + 2 * 3)) $(( (7 - 1) / 4 )) `echo tick`; n=5; echo $((n * n))',
    );
    expect(r.stdout).toBe('[hi\nthere] 7 1 tick\n25\n');
    const div = await sh('echo $((1/0))');
    expect(div.status).toBe(1);
    expect(div.stderr).toContain('division by 0');
  });

  it('expands globs against the virtual file system and keeps a pattern without matches', async () => {
    const fs = golemFs();
    for (const f of ['a.txt', 'b.txt', 'c.log', '.hidden.txt']) fs.writeFile(`/golem/work/${f}`, f);
    expect((await sh('echo *.txt', { fs })).stdout).toBe('a.txt b.txt\n');
    expect((await sh('echo /golem/work/?.log', { fs })).stdout).toBe('/golem/work/c.log\n');
    expect((await sh('echo *.none "*.txt"', { fs })).stdout).toBe('*.none *.txt\n');
  });

  it('exports variables from the environment and from prefix assignments only to the command', async () => {
    const r = await sh(
      'X=1 env | grep ^X=; echo "x=$X"; export Y=2; env | grep ^Y=; Z=3; env | grep -c ^Z=',
      {
        env: { FOO: 'bar' },
      },
    );
    expect(r.stdout).toBe('X=1\nx=\nY=2\n0\n');
    expect((await sh('echo $FOO', { env: { FOO: 'bar' } })).stdout).toBe('bar\n');
  });
});

describe('shell: lists, pipes, redirection', () => {
  it('runs ; && || with the right short-circuits', async () => {
    const r = await sh('true && echo a; false && echo b; false || echo c; true || echo d; echo e');
    expect(r.stdout).toBe('a\nc\ne\n');
  });

  it('redirects > and >> into files, and < from files', async () => {
    const r = await sh('echo one > f; echo two >> f; cat < f; echo three > f; cat f');
    expect(r.stdout).toBe('one\ntwo\nthree\n');
    expect(r.fs.readText('/golem/work/f')).toBe('three\n');
  });

  it('routes stderr with 2>, 2>&1 and >&2', async () => {
    const r = await sh(
      'cat missing 2> err.txt; echo to-err >&2; cat missing 2>&1; ls missing > /dev/null 2>&1; echo $?',
    );
    expect(r.fs.readText('/golem/work/err.txt')).toBe('cat: missing: No such file or directory\n');
    expect(r.stderr).toBe('to-err\n');
    expect(r.stdout).toBe('cat: missing: No such file or directory\n2\n');
  });

  it('reports a redirect into a missing directory without running the command', async () => {
    const r = await sh('echo x > /nope/f; echo $?');
    expect(r.stderr).toBe('sh: /nope/f: No such file or directory\n');
    expect(r.stdout).toBe('1\n');
  });

  it('pipes stdout into the next command', async () => {
    const r = await sh(
      'printf "b\\na\\nc\\n" > f; cat f | wc -l; cat f | sort | head -n 2; echo hi | cat - | tr 2>/dev/null; echo $?',
    );
    expect(r.stdout).toBe('3\na\nb\n127\n');
  });

  it('negates with ! and returns the status of the last pipeline element', async () => {
    expect((await sh('! false; echo $?')).stdout).toBe('0\n');
    expect((await sh('true | false; echo $?')).stdout).toBe('1\n');
  });

  it('runs if/elif/else, for, while and groups', async () => {
    const r = await sh(
      'for i in 1 2 3; do if [ $i -eq 2 ]; then echo two; elif [ $i = 3 ]; then echo three; else echo other; fi; done\n' +
        'n=0; while [ $n -lt 3 ]; do n=$((n+1)); done; echo n=$n\n' +
        '{ echo g1; echo g2; } > grp; cat grp; (cd /; pwd); pwd',
    );
    expect(r.stdout).toBe('other\ntwo\nthree\nn=3\ng1\ng2\n/\n/golem/work\n');
  });

  it('stops at exit N and reports N', async () => {
    const r = await sh('echo before; exit 7; echo after');
    expect(r).toMatchObject({ status: 7, stdout: 'before\n' });
    expect((await sh('(exit 3); echo $?')).stdout).toBe('3\n');
  });

  it('answers 127 and "sh: X: not found" for unknown commands', async () => {
    const r = await sh('frobnicate --now');
    expect(r).toMatchObject({ status: 127, stderr: 'sh: frobnicate: not found\n' });
    expect((await sh('/usr/bin/nope')).stderr).toBe('sh: /usr/bin/nope: not found\n');
  });

  it('reports syntax errors with status 2', async () => {
    for (const bad of ["echo 'unterminated", 'if true; then echo', 'echo a |', 'cat <<EOF']) {
      const r = await sh(bad);
      expect(r.status, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^sh: /);
    }
  });

  it('runs nested sh -c with positional arguments and script files', async () => {
    const fs = golemFs();
    fs.writeFile('/golem/work/s.sh', '#!/bin/sh\necho "script $1 $#"\nexit 4\n');
    const r = await sh('sh -c \'echo "$0:$1:$2"\' me x y; /bin/sh s.sh arg; echo $?; ./s.sh b; echo $?', {
      fs,
    });
    expect(r.stdout).toBe('me:x:y\nscript arg 1\n4\nscript b 1\n4\n');
  });
});

describe('shell: builtins', () => {
  it('true, false, exit codes', async () => {
    expect((await sh('true')).status).toBe(0);
    expect((await sh('false')).status).toBe(1);
  });

  it('cat concatenates files and stdin, reporting missing files', async () => {
    const fs = golemFs();
    fs.writeFile('/golem/work/a', 'A\n');
    const r = await sh('cat a - nope a', { fs, stdin: 'IN\n' });
    expect(r).toMatchObject({
      status: 1,
      stdout: 'A\nIN\nA\n',
      stderr: 'cat: nope: No such file or directory\n',
    });
  });

  it('ls lists directories sorted, files by name, with -a and -l', async () => {
    const fs = golemFs();
    fs.writeFile('/golem/output/b.txt', '12345');
    fs.writeFile('/golem/output/a.txt', '');
    expect((await sh('ls /golem', { fs })).stdout).toBe('input\noutput\nwork\n');
    expect((await sh('ls /golem/output/b.txt /golem/input', { fs })).stdout).toBe(
      '/golem/output/b.txt\n\n/golem/input:\n',
    );
    expect((await sh('ls -a /golem/output', { fs })).stdout).toBe('.\n..\na.txt\nb.txt\n');
    expect((await sh('ls -l /golem/output', { fs })).stdout).toContain(
      '-rw-r--r-- 1 root root        5 b.txt',
    );
    expect(await sh('ls /nope', { fs })).toMatchObject({
      status: 2,
      stderr: "ls: cannot access '/nope': No such file or directory\n",
    });
  });

  it('wc counts lines, words and bytes', async () => {
    const fs = golemFs();
    fs.writeFile('/golem/work/f', 'one two\nthree\n');
    expect((await sh('wc -l f; wc -w < f; wc -c f; wc f', { fs })).stdout).toBe('2 f\n3\n14 f\n 2  3 14 f\n');
    expect((await sh('printf "a b" | wc', { fs })).stdout).toBe('      0       2       3\n');
  });

  it('sha256sum hashes files and stdin', async () => {
    const fs = golemFs();
    fs.writeFile('/golem/work/f', 'hello\n');
    const hex = createHash('sha256').update('hello\n').digest('hex');
    expect((await sh('sha256sum f; echo hello | sha256sum', { fs })).stdout).toBe(`${hex}  f\n${hex}  -\n`);
  });

  it('mkdir -p, rm, cp, mv, touch manipulate the file system', async () => {
    const r = await sh(
      'mkdir -p a/b/c && touch a/b/c/f && cp a/b/c/f g && mv g h && cp -r a z && rm -r a && ls -R . 2>/dev/null; ls; ls z/b/c',
    );
    expect(r.stdout).toBe('h\nz\nf\n');
    expect(r.fs.isFile('/golem/work/h')).toBe(true);
    const errors = await sh('mkdir x; mkdir x; rm nope; rm -f nope; mkdir d; rm d; cp d e; echo $?');
    expect(errors.stderr).toBe(
      "mkdir: cannot create directory 'x': File exists\n" +
        "rm: cannot remove 'nope': No such file or directory\n" +
        "rm: cannot remove 'd': Is a directory\n" +
        "cp: -r not specified; omitting directory 'd'\n",
    );
    expect(errors.stdout).toBe('1\n');
  });

  it('env prints the environment and runs a command with extra variables', async () => {
    const r = await sh('env; env A=1 sh -c \'echo "A=$A"\'', { env: { ONLY: 'me' } });
    expect(r.stdout).toBe('HOME=/root\nPATH=/bin\nONLY=me\nA=1\n');
  });

  it('head, tail, grep, sort, uniq, seq, basename, dirname, test, base64', async () => {
    const r = await sh(
      'seq 5 > n; head -n 2 n; tail -n 1 n; tail -n +4 n; grep -c "[24]" n; grep -v 1 n | head -1; ' +
        'printf "b\\na\\nb\\n" | sort | uniq -c; basename /x/y.txt .txt; dirname /x/y.txt; ' +
        '[ -d /golem ] && test -z "" && [ 3 -gt 2 ] && echo tests-ok; echo -n hi | base64; echo aGk= | base64 -d; echo',
    );
    expect(r.stdout).toBe('1\n2\n5\n4\n5\n2\n2\n      1 a\n      2 b\ny\n/x\ntests-ok\naGk=\nhi\n');
    expect((await sh('grep zzz /dev/null; echo $?')).stdout).toBe('1\n');
  });

  it('sleep waits on the injected scheduler, with fractional seconds', async () => {
    const scheduler = new VirtualTimeScheduler();
    const r = await settle(scheduler, sh('sleep 1.5; sleep 0.25s; echo done', { scheduler }));
    expect(r.stdout).toBe('done\n');
    expect(scheduler.now()).toBe(1750);
    expect((await sh('sleep x')).stderr).toBe("sleep: invalid time interval 'x'\n");
  });

  it('runs custom handlers as shell words and by path, with stdin, env and exit status', async () => {
    const r = await sh('echo payload | upper; X=9 upper; echo $?', {
      handlers: {
        upper: (args, ctx) => {
          ctx.stdout(new TextDecoder().decode(ctx.stdin).toUpperCase() + (ctx.env['X'] ?? ''));
          return ctx.env['X'] === undefined ? 0 : 5;
        },
      },
    });
    expect(r.stdout).toBe('PAYLOAD\n95\n');
  });

  it('turns a throwing handler into status 1 with its message on stderr', async () => {
    const r = await sh('boom; echo $?', {
      handlers: {
        boom: () => {
          throw new Error('kaput');
        },
      },
    });
    expect(r).toMatchObject({ stdout: '1\n', stderr: 'boom: kaput\n' });
  });
});
