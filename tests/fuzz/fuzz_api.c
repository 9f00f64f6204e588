/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dataplane's API server: a conversation of
 * messages, each with an optional memfd, fed to api_handle() (the whole
 * protocol without a socket) against a real runtime with real tables.
 *
 * Input: records of [u16 msg_len][u16 fd_len][msg][fd bytes] (little
 * endian); fd_len 0 passes no descriptor. The descriptor is a memfd sealed
 * as TXN_TABLE requires, or left unsealed when bit 15 of fd_len is set
 * (the length is the low 15 bits). The input ends the connection (an open
 * transaction is discarded, as on a disconnect).
 *
 * Properties checked beyond "no crash, no leak, no UB":
 *  - every message gets a reply that is itself a well-formed message,
 *    echoing the request's seq, of a type that answers it;
 *  - the running generation only moves on a successful commit, by one,
 *    and the published tables carry it;
 *  - a route delta (TXN_DELTA) that is accepted leaves its table sorted
 *    by prefix, one entry per prefix (what the next delta relies on).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>

#include "api_server.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct runtime rt;

/* At exit, before LeakSanitizer looks: the runtime Initialize built (the
 * tables' own allocations hang off DPDK's heap, which LSan does not scan). */
static void
free_all(void)
{
	tables_free(rt.tables);
	rt.tables = NULL;
	counters_destroy(&rt);
	runtime_spec_free(&rt);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {"fuzz_api",
		       "--no-huge",
		       "-m",
		       "1536",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       NULL};
	const char *conf = getenv("IXG_FUZZ_CONFIG");
	struct ixg_spec spec;
	char err[256];

	(void)argc;
	(void)argv;
	if (rte_eal_init(10, eal) < 0)
		abort();
	if (conf == NULL)
		conf = IXG_SRC_DIR "/tests/integration/configs/telemetry.conf";
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(conf, &spec, stderr) < 0)
		abort();
	rt.counters_fd = -1;
	rt.counters_ro_fd = -1;
	rt.n_workers = 1;
	rt.headless = true;
	pthread_mutex_init(&rt.spec_lock, NULL);
	rt.spec = malloc(sizeof(*rt.spec));
	rt.conf_ports = malloc(spec.n_ports * sizeof(*rt.conf_ports) + 1);
	if (rt.spec == NULL || rt.conf_ports == NULL)
		abort();
	memcpy(rt.conf_ports, spec.ports, spec.n_ports * sizeof(*spec.ports));
	rt.n_conf_ports = spec.n_ports;
	*rt.spec = spec;
	if (counters_create(&rt, 2) < 0 ||
	    tables_publish(&rt, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_api setup: %s\n", err);
		abort();
	}
	atexit(free_all);
	return 0;
}

/* The reply types that may answer a request type. */
static int
reply_fits(uint16_t req, uint16_t rep)
{
	if (rep == IXG_MSG_REPLY)
		return 1;
	switch (req) {
	case IXG_MSG_HELLO: return rep == IXG_MSG_HELLO_REPLY;
	case IXG_MSG_TXN_COMMIT: return rep == IXG_MSG_COMMIT_REPLY;
	case IXG_MSG_GET_STATE: return rep == IXG_MSG_STATE;
	case IXG_MSG_GET_IDS: return rep == IXG_MSG_IDS;
	case IXG_MSG_GET_SAMPLES: return rep == IXG_MSG_SAMPLES;
	default: return 0;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct api_reply out;
	struct api_conn c;
	size_t off = 0;

	api_conn_init(&c, &rt);
	while (off + 4 <= size) {
		uint16_t mlen = (uint16_t)(data[off] | data[off + 1] << 8);
		uint16_t flen = (uint16_t)(data[off + 2] | data[off + 3] << 8);
		int unsealed = flen >> 15;
		uint64_t gen = runtime_generation(&rt);
		struct ixg_msg_hdr req, rep;
		char err[IXG_WIRE_ERR_LEN];
		uint16_t type;
		int fd = -1;

		off += 4;
		flen &= 0x7fff;
		if (mlen > size - off)
			mlen = (uint16_t)(size - off);
		if (flen > size - off - mlen)
			flen = (uint16_t)(size - off - mlen);
		if (flen > 0) {
			fd = memfd_create("fuzz",
					  MFD_CLOEXEC | MFD_ALLOW_SEALING);
			if (fd < 0 ||
			    write(fd, data + off + mlen, flen) != flen)
				abort();
			if (!unsealed && fcntl(fd, F_ADD_SEALS,
					       F_SEAL_SHRINK | F_SEAL_GROW |
						       F_SEAL_WRITE) < 0)
				abort();
		}
		api_handle(&c, data + off, mlen, fd, &out);
		if (out.len == 0 || ixg_msg_check(out.buf, out.len, &type, err,
						  sizeof(err)) != IXG_ST_OK) {
			fprintf(stderr, "malformed reply: %s\n", err);
			abort();
		}
		memcpy(&rep, out.buf, sizeof(rep));
		if (mlen >= sizeof(req)) {
			memcpy(&req, data + off, sizeof(req));
			if (rep.seq != req.seq ||
			    (out.len == ixg_msg_size(rep.type) &&
			     ixg_msg_check(data + off, mlen, &type, NULL, 0) ==
				     IXG_ST_OK &&
			     !reply_fits(req.type, rep.type))) {
				fprintf(stderr, "reply %s to %s, seq %u/%u\n",
					ixg_msg_type_name(rep.type),
					ixg_msg_type_name(req.type), rep.seq,
					req.seq);
				abort();
			}
		}
		if (runtime_generation(&rt) != gen) {
			const struct ixg_msg_commit_reply *cr = (const void *)
									out.buf;

			if (rep.type != IXG_MSG_COMMIT_REPLY ||
			    cr->status != IXG_ST_OK ||
			    runtime_generation(&rt) != gen + 1 ||
			    rt.tables->generation != gen + 1)
				abort();
		}
		if (mlen == sizeof(struct ixg_msg_txn_delta) &&
		    req.type == IXG_MSG_TXN_DELTA &&
		    rep.type == IXG_MSG_REPLY &&
		    ((const struct ixg_msg_reply *)(const void *)out.buf)
				    ->status == IXG_ST_OK) {
			struct ixg_msg_txn_delta d;

			memcpy(&d, data + off, sizeof(d));
			if (ixg_routes_unsorted(
				    d.table,
				    ixg_spec_table_data(&c.shadow, d.table),
				    ixg_spec_table_count(&c.shadow, d.table)) >=
			    0) {
				fprintf(stderr,
					"accepted delta left %s "
					"unsorted\n",
					ixg_table_name(d.table));
				abort();
			}
		}
		off += mlen + flen;
		if (out.close)
			break;
	}
	api_conn_reset(&c);
	return 0;
}
