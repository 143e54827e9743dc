// A table of every kind of service and real server, as the C ipvsadm's command lines: IPv4,
// IPv6, marks of both families, SCTP, NAT/DR/TUN with ipip/gue/gre and their checksum flags,
// thresholds, persistence with a mask, one-packet, pe sip, scheduler flags. Shared by the JSON
// listing and JSON save tests.
export const EVERY_KIND: readonly string[] = [
  '-A -t 192.0.2.1:80 -s wlc',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3 -x 100 -y 10',
  '-a -t 192.0.2.1:80 -r 198.51.100.2 -g -w 0',
  '-A -u 192.0.2.2:53 -s sh -b sh-fallback,sh-port -p 600 -M 255.255.255.0 -o',
  '-a -u 192.0.2.2:53 -r 198.51.100.3 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -u 192.0.2.2:53 -r 198.51.100.4 -i --tun-type gue --tun-port 6081 --tun-remcsum',
  '-A --sctp-service 192.0.2.3:3868 -s rr',
  '-a --sctp-service 192.0.2.3:3868 -r 198.51.100.5 -i --tun-type gre --tun-nocsum',
  '-a --sctp-service 192.0.2.3:3868 -r 198.51.100.6 -i --tun-type gre --tun-csum',
  '-A -u 192.0.2.4:5060 -s rr -p 100 --pe sip',
  '-a -u 192.0.2.4:5060 -r 198.51.100.7 -m',
  '-A -t [2001:db8::1]:443 -s mh -b mh-port -p 60 -M 64',
  '-a -t [2001:db8::1]:443 -r [2001:db8::2]:443 -i',
  '-A -f 7 -s lc',
  '-a -f 7 -r 198.51.100.8 -m -w 2 -x 5',
  '-A -f 7 -6 -s rr',
  '-a -f 7 -6 -r 2001:db8::3 -g',
];
