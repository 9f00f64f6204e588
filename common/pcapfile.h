/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapfile.h - read classic pcap and pcapng files, write classic pcap
 * (libpcap format, LINKTYPE_ETHERNET, microsecond or nanosecond
 * timestamps). Plain C, no libpcap: used by offline replay, the traffic
 * generator and the tests.
 */
#ifndef IXG_PCAPFILE_H
#define IXG_PCAPFILE_H

#include <stdint.h>
#include <stdio.h>

struct pcap_reader;
struct pcap_writer;

/* One record as read. data points into the reader's buffer and is valid
 * until the next pcap_read() call. */
struct pcap_rec {
	uint64_t ts_ns; /* timestamp, nanoseconds since the epoch */
	uint32_t caplen; /* bytes in data */
	uint32_t origlen; /* length on the wire */
	const uint8_t *data;
};

/* Open a pcap or pcapng file for reading. NULL with errno set and a message in
 * err (file: what is wrong) if it is not a pcap file we can read. */
struct pcap_reader *pcap_open_read(const char *path, char *err, size_t errlen);
/* Next record: 1 if read, 0 at end of file, -1 on a malformed record
 * (message in err, naming the record number and byte offset). */
int pcap_read(struct pcap_reader *r, struct pcap_rec *rec, char *err,
	      size_t errlen);
void pcap_close_read(struct pcap_reader *r);

/* Create (truncate) a pcap file for writing, Ethernet, ns timestamps,
 * snaplen 65535. NULL with errno set on failure. */
struct pcap_writer *pcap_open_write(const char *path);
/* Append one frame. 0 or -1 with errno set. */
int pcap_write(struct pcap_writer *w, uint64_t ts_ns, const void *data,
	       uint32_t len);
/* Flush and close. 0 or -1 with errno set (a failed flush is reported). */
int pcap_close_write(struct pcap_writer *w);

#endif /* IXG_PCAPFILE_H */
