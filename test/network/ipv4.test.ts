/** The VPN's IPv4 arithmetic: dotted quads, masks and prefixes, host ranges. */
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  ipv4Range,
  maskOfPrefix,
  parseIpv4,
  parseIpv4Network,
  prefixOfMask,
} from '../../src/network/ipv4.js';

describe('ipv4', () => {
  it('reads and writes dotted quads, refusing what is not one', () => {
    expect(parseIpv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '', '::1'])
      expect(parseIpv4(bad), bad).toBeUndefined();
  });

  it('turns prefixes into masks and contiguous masks back into prefixes', () => {
    expect([0, 8, 24, 30, 32].map((p) => formatIpv4(maskOfPrefix(p)))).toEqual([
      '0.0.0.0',
      '255.0.0.0',
      '255.255.255.0',
      '255.255.255.252',
      '255.255.255.255',
    ]);
    expect(prefixOfMask(parseIpv4('255.255.240.0')!)).toBe(20);
    expect(prefixOfMask(parseIpv4('255.0.255.0')!)).toBeUndefined();
  });

  it('reads a network as CIDR or address + mask (the mask wins, /24 by default)', () => {
    const range = (ip: string, mask?: string) => {
      const r = parseIpv4Network(ip, mask);
      return r && [formatIpv4(r.network), r.prefix, formatIpv4(r.firstHost), formatIpv4(r.lastHost)];
    };
    expect(range('192.168.0.0/24')).toEqual(['192.168.0.0', 24, '192.168.0.1', '192.168.0.254']);
    expect(range('10.1.2.3', '255.255.0.0')).toEqual(['10.1.0.0', 16, '10.1.0.1', '10.1.255.254']);
    expect(range('10.0.0.0/8', '255.255.255.0')).toEqual(['10.0.0.0', 24, '10.0.0.1', '10.0.0.254']);
    expect(range('172.16.0.9')).toEqual(['172.16.0.0', 24, '172.16.0.1', '172.16.0.254']);
    expect(range('10.0.0.0/31')).toEqual(['10.0.0.0', 31, '10.0.0.0', '10.0.0.1']);
    for (const [ip, mask] of [['10.0.0.0/33'], ['10.0.0.0/x'], ['10.0.0.0/8/8'], ['10.0.0.0', '255.0.255.0']])
      expect(parseIpv4Network(ip!, mask), `${ip} ${mask}`).toBeUndefined();
    expect(ipv4Range(parseIpv4('10.0.0.7')!, 30)).toMatchObject({ address: parseIpv4('10.0.0.7') });
  });
});
