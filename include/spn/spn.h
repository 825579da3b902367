/* spn/spn.h - libspn: find where Kerberos will not be used in an AD domain. */
#ifndef SPN_SPN_H
#define SPN_SPN_H

#include <spn/status.h>
#include <spn/context.h>
#include <spn/name.h>
#include <spn/account.h>
#include <spn/dns.h>
#include <spn/directory.h>
#include <spn/index.h>
#include <spn/check.h>
#include <spn/probe.h>

#endif
