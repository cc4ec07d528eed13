// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include "attach.h"
#include "json_writer.h"
#include "kfeat.h"
#include "log.h"
#include "probe_table.h"
#include "probes_cmd.h"

static void print_json(struct gw_attach *a, const struct gw_probe_report *r, size_t n)
{
	struct jw w;

	jw_init(&w, stdout);
	jw_start_object(&w);
	jw_string_field(&w, "type", "probes");
	jw_name(&w, "probes");
	jw_start_array(&w);
	for (size_t i = 0; i < n; i++) {
		jw_start_object(&w);
		jw_string_field(&w, "name", r[i].name);
		jw_string_field(&w, "records", gw_probe_defs[i].what);
		jw_string_field(&w, "strategy", r[i].strategy);
		jw_bool_field(&w, "attached", r[i].attached);
		jw_string_field(&w, "detail", r[i].attached ? r[i].detail : NULL);
		jw_string_field(&w, "not_used", attach__refused(a, i));
		jw_end_object(&w);
	}
	jw_end_array(&w);
	jw_end_object(&w);
	jw_endline(&w);
}

static void print_text(struct gw_attach *a, const struct gw_probe_report *r, size_t n)
{
	printf("%-12s %-11s %s\n", "PROBE", "STRATEGY", "ATTACHED TO / NOT USED");
	for (size_t i = 0; i < n; i++) {
		const char *refused = attach__refused(a, i);

		printf("%-12s %-11s %s\n", r[i].name, r[i].strategy,
		       r[i].attached ? r[i].detail : "unavailable");
		if (refused[0])
			printf("%-12s %-11s   not used: %s\n", "", "", refused);
	}
}

int probes_cmd__run(const struct gw_config *cfg)
{
	struct gw_attach_opts ao = {
		.mode = cfg->mode,
		.filter = cfg->filter,
		.ringbuf_kb = cfg->ringbuf_kb,
		.track_max = cfg->track_max,
		.track_timeout_ns = 1000000000ULL,
	};
	const struct gw_probe_report *r;
	struct gw_kfeat kernel;
	struct gw_attach *a;
	size_t n;
	int err;

	ao.kernel = &kernel;
	a = kfeat__probe(&kernel) ? NULL : attach__open(&ao, &err);
	if (!a) {
		kfeat__free(&kernel);
		return 1;
	}
	r = attach__reports(a, &n);
	if (cfg->json)
		print_json(a, r, n);
	else
		print_text(a, r, n);
	attach__close(a);
	kfeat__free(&kernel);
	return 0;
}
