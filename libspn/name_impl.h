/* name_impl.h - the host-name helpers of name.c that other library files
 * share (private). */
#ifndef SPN_NAME_IMPL_H
#define SPN_NAME_IMPL_H

#include <stddef.h>
#include <spn/name.h>

/* spn_host_classify of the len bytes at host (no NUL needed). */
spn_host_kind spn_host_classify_len(const char *host, size_t len);

/* Whether the len bytes at text are an address of family (AF_INET,
 * AF_INET6) as inet_pton reads it. */
int spn_is_address(int family, const char *text, size_t len);

/* Parse len bytes of dotted-decimal IPv4 text into addr exactly as
 * inet_pton(AF_INET) does (four parts of 0-255, no leading zeros, nothing
 * else): 1 on success, 0 when the text is not one. */
int spn_ipv4_parse(const char *text, size_t len, unsigned char addr[4]);

/* inet_ntop's text of an IPv4 address ("%u.%u.%u.%u") into buf (16 bytes),
 * NUL-terminated: its length. */
int spn_ipv4_format(const unsigned char addr[4], char *buf);

#endif
