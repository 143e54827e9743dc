/* The bench's floor for the list modes that need every real server's counters: the fewest
 * system calls any reader can make over the kernel's interface. One generic netlink socket,
 * one GET_SERVICE dump, then per service one GET_DEST dump on the same socket: a send and two
 * reads (the kernel queues a dump's first datagram at the request and its DONE at the next read).
 * Nothing is decoded or printed beyond counts: "services N dests M reads R". */
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ATTR_DATA(a) ((char *)(a) + NLA_HDRLEN)
#define ATTR_NEXT(a) ((struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

struct key { unsigned short af, port, protocol; unsigned fwmark; unsigned char addr[16]; };

static int sock;
static unsigned seq = 1;
static char reply[65536];
static struct key *keys;
static int services, capacity;
static long dests, reads;
static unsigned short family;

static char *put(char *p, unsigned short type, const void *data, int len) {
  struct nlattr *a = (struct nlattr *)p;
  a->nla_type = type;
  a->nla_len = NLA_HDRLEN + len;
  memcpy(ATTR_DATA(a), data, len);
  return p + NLA_ALIGN(a->nla_len);
}

static void request(unsigned short type, unsigned char cmd, int flags, const char *attrs, int len) {
  char buf[512];
  struct nlmsghdr *h = (struct nlmsghdr *)buf;
  struct genlmsghdr *g = NLMSG_DATA(h);
  h->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + len;
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | flags;
  h->nlmsg_seq = seq++;
  h->nlmsg_pid = 0;
  g->cmd = cmd;
  g->version = 1;
  g->reserved = 0;
  memcpy((char *)g + GENL_HDRLEN, attrs, len);
  if (send(sock, buf, h->nlmsg_len, 0) < 0) { perror("send"); exit(1); }
}

/* Reads replies, calling `each` on every message, until DONE (or after one datagram if `once`). */
static void replies(void (*each)(struct nlmsghdr *), int once) {
  for (;;) {
    int n = recv(sock, reply, sizeof reply, 0);
    reads++;
    if (n < 0) { perror("recv"); exit(1); }
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) { fprintf(stderr, "netlink error %d\n", e->error); exit(1); }
        return;
      }
      each(h);
    }
    if (once) return;
  }
}

static struct nlattr *first_attr(struct nlmsghdr *h) { return (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN); }
static int attrs_len(struct nlmsghdr *h) { return h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN); }

static void on_family(struct nlmsghdr *h) {
  int len = attrs_len(h);
  for (struct nlattr *a = first_attr(h); len >= NLA_HDRLEN && a->nla_len <= len; len -= NLA_ALIGN(a->nla_len), a = ATTR_NEXT(a))
    if (a->nla_type == CTRL_ATTR_FAMILY_ID) family = *(unsigned short *)ATTR_DATA(a);
}

static void on_service(struct nlmsghdr *h) {
  struct nlattr *nest = first_attr(h);
  if (services == capacity) {
    capacity = capacity ? capacity * 2 : 1024;
    keys = realloc(keys, capacity * sizeof *keys);
    if (!keys) exit(1);
  }
  struct key *k = &keys[services++];
  memset(k, 0, sizeof *k);
  int len = nest->nla_len - NLA_HDRLEN;
  for (struct nlattr *a = (struct nlattr *)ATTR_DATA(nest); len >= NLA_HDRLEN && a->nla_len <= len; len -= NLA_ALIGN(a->nla_len), a = ATTR_NEXT(a)) {
    void *d = ATTR_DATA(a);
    if (a->nla_type == IPVS_SVC_ATTR_AF) k->af = *(unsigned short *)d;
    else if (a->nla_type == IPVS_SVC_ATTR_PROTOCOL) k->protocol = *(unsigned short *)d;
    else if (a->nla_type == IPVS_SVC_ATTR_ADDR) memcpy(k->addr, d, 16);
    else if (a->nla_type == IPVS_SVC_ATTR_PORT) k->port = *(unsigned short *)d;
    else if (a->nla_type == IPVS_SVC_ATTR_FWMARK) k->fwmark = *(unsigned *)d;
  }
}

static void on_dest(struct nlmsghdr *h) { (void)h; dests++; }

static void dump_dests(const struct key *k) {
  char nest[128];
  struct nlattr *outer = (struct nlattr *)nest;
  char *p = ATTR_DATA(outer);
  p = put(p, IPVS_SVC_ATTR_AF, &k->af, 2);
  if (k->fwmark) {
    p = put(p, IPVS_SVC_ATTR_FWMARK, &k->fwmark, 4);
  } else {
    p = put(p, IPVS_SVC_ATTR_PROTOCOL, &k->protocol, 2);
    p = put(p, IPVS_SVC_ATTR_ADDR, k->addr, 16);
    p = put(p, IPVS_SVC_ATTR_PORT, &k->port, 2);
  }
  outer->nla_type = NLA_F_NESTED | IPVS_CMD_ATTR_SERVICE;
  outer->nla_len = p - nest;
  request(family, IPVS_CMD_GET_DEST, NLM_F_DUMP, nest, NLA_ALIGN(outer->nla_len));
  replies(on_dest, 0);
}

int main(void) {
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
  if (sock < 0 || bind(sock, (struct sockaddr *)&local, sizeof local) < 0) { perror("socket"); return 1; }
  char name[64];
  char *end = put(name, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME, strlen(IPVS_GENL_NAME) + 1);
  request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, name, end - name);
  replies(on_family, 1);
  if (!family) { fprintf(stderr, "no IPVS family\n"); return 1; }
  request(family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP, NULL, 0);
  replies(on_service, 0);
  for (int i = 0; i < services; i++) dump_dests(&keys[i]);
  printf("services %d dests %ld reads %ld\n", services, dests, reads);
  return 0;
}
